/**
 * Type-level tests of the Fastify, Koa, Lambda, Elysia and Supabase adapters: each result fits its
 * framework's own types (Fastify's route shorthands and plugins, @koa/router, @types/aws-lambda's
 * handlers, Elysia's routes, `Deno.serve`'s handler shape), and the drop-ins type their payloads.
 */
import Router from '@koa/router';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyHandler,
  APIGatewayProxyHandlerV2,
  LambdaFunctionURLEvent,
  LambdaFunctionURLHandler,
} from 'aws-lambda';
import { Elysia } from 'elysia';
import Fastify from 'fastify';
import Koa from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import { createElysiaHandler, Webhooks as elysiaWebhooks } from '../../src/adapters/elysia';
import { createFastifyRoute, fastifyPolarWebhooks, Webhooks as fastifyWebhooks } from '../../src/adapters/fastify';
import { createKoaMiddleware, Webhooks as koaWebhooks } from '../../src/adapters/koa';
import {
  createLambdaHandler,
  Webhooks as lambdaWebhooks,
  type LambdaProxyEvent,
  type LambdaProxyResult,
} from '../../src/adapters/lambda';
import { createSupabaseHandler, Webhooks as supabaseWebhooks } from '../../src/adapters/supabase';
import type { PolarWebhookEvent } from '../../src/events/catalogue';
import { createWebhooks } from '../../src/router/create-webhooks';

const webhooks = createWebhooks({ secret: 'whsec_x' });

describe('Fastify', () => {
  it('fits app.post, app.all and app.route, and the plugin fits app.register with its options', () => {
    const app = Fastify();
    app.post('/a', createFastifyRoute(webhooks));
    app.all('/b', createFastifyRoute(webhooks));
    app.route({ method: 'POST', url: '/c', ...createFastifyRoute(webhooks) });
    void app.register(fastifyPolarWebhooks, { webhooks, path: '/d', prefix: '/polar' });
    // @ts-expect-error the plugin needs a router
    void app.register(fastifyPolarWebhooks, { path: '/d' });
    Fastify({ logger: true }).post('/e', createFastifyRoute(webhooks));
  });

  it('types the drop-in like @polar-sh/fastify, used as its README shows', () => {
    Fastify().post(
      '/polar/webhooks',
      fastifyWebhooks({
        webhookSecret: 'whsec_x',
        onOrderPaid: async (payload) => {
          expectTypeOf(payload).toEqualTypeOf<PolarWebhookEvent<'order.paid'>>();
        },
      }),
    );
  });
});

describe('Koa', () => {
  it('fits app.use and @koa/router routes', () => {
    new Koa().use(createKoaMiddleware(webhooks));
    const router = new Router();
    router.post('/a', createKoaMiddleware(webhooks));
    router.all(
      '/b',
      koaWebhooks({
        webhookSecret: 'whsec_x',
        onSubscriptionRevoked: (payload) => {
          expectTypeOf(payload.type).toEqualTypeOf<'subscription.revoked'>();
        },
      }),
    );
  });
});

describe('AWS Lambda', () => {
  it('is a handler for REST APIs, HTTP APIs and function URLs as @types/aws-lambda declares them', () => {
    const handler = createLambdaHandler(webhooks);
    expectTypeOf(handler).toExtend<APIGatewayProxyHandler>();
    expectTypeOf(handler).toExtend<APIGatewayProxyHandlerV2>();
    expectTypeOf(handler).toExtend<LambdaFunctionURLHandler>();
    expectTypeOf<APIGatewayProxyEvent>().toExtend<LambdaProxyEvent>();
    expectTypeOf<APIGatewayProxyEventV2>().toExtend<LambdaProxyEvent>();
    expectTypeOf<LambdaFunctionURLEvent>().toExtend<LambdaProxyEvent>();
    expectTypeOf(lambdaWebhooks({ webhookSecret: 'whsec_x' })).returns.toEqualTypeOf<Promise<LambdaProxyResult>>();
  });
});

describe('Elysia', () => {
  it('fits app.post with and without route options, and types the drop-in like @polar-sh/elysia', () => {
    new Elysia()
      .post('/a', createElysiaHandler(webhooks))
      .post('/b', createElysiaHandler(webhooks), { parse: 'none' })
      .all('/c', createElysiaHandler(webhooks))
      .post(
        '/polar/webhooks',
        elysiaWebhooks({
          webhookSecret: 'whsec_x',
          onCustomerStateChanged: (payload) => {
            expectTypeOf(payload.type).toEqualTypeOf<'customer.state_changed'>();
          },
        }),
      );
  });
});

describe('Supabase', () => {
  it('is a Deno.serve handler: a Request in, a Response promised', () => {
    expectTypeOf(createSupabaseHandler(webhooks)).toEqualTypeOf<(request: Request) => Promise<Response>>();
    expectTypeOf(supabaseWebhooks({ webhookSecret: 'whsec_x' })).parameters.toEqualTypeOf<[request: Request]>();
  });
});
