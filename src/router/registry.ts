/**
 * The handler registry: which handlers run for which event type, in which order. Registrations are
 * copy-on-write, so a dispatch in progress keeps the list it started with.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { isPolarWebhookEventType, type PolarWebhookEventType } from '../events/catalogue';
import type { Unsubscribe, WebhookContext, WebhookErrorHandler, WebhookRouter } from './types';

/** A handler of any kind, as the dispatcher calls it. */
export type AnyHandler = (event: never, context: WebhookContext) => unknown;

/** The registrations of one router (its public `on…` methods), and the lists dispatch reads. */
export interface Registry extends Pick<WebhookRouter, 'on' | 'onAny' | 'onUnknown' | 'onError'> {
  /** The handlers of `type`: its own, in registration order, then every `onAny` handler. */
  handlersFor(type: string): readonly AnyHandler[];
  /** The `onUnknown` handlers. */
  unknownHandlers(): readonly AnyHandler[];
  /** The `onError` handlers. */
  errorHandlers(): readonly WebhookErrorHandler[];
}

function invalidArgument(message: string): WebhookConfigurationError {
  return new WebhookConfigurationError('invalid_argument', message);
}

function checkHandler(handler: unknown, method: string): void {
  if (typeof handler !== 'function') {
    throw invalidArgument(
      `webhooks.${method}() needs a handler function, got ${handler === null ? 'null' : typeof handler}.`,
    );
  }
}

function checkEventType(type: unknown): asserts type is PolarWebhookEventType {
  if (!isPolarWebhookEventType(type)) {
    throw invalidArgument(
      `webhooks.on(${JSON.stringify(type)}): not a Polar event type. Use one of the names in EVENT_TYPES ` +
        "(e.g. 'order.paid'), or onUnknown() for types newer than this version of polar-webhooks.",
    );
  }
}

/** A copy of `list` without the first `handler` in it. */
function without<H>(list: readonly H[], handler: H): readonly H[] {
  const index = list.indexOf(handler);
  return index === -1 ? list : [...list.slice(0, index), ...list.slice(index + 1)];
}

/** An empty registry. */
export function createRegistry(): Registry {
  const byType = new Map<string, readonly AnyHandler[]>();
  let anyHandlers: readonly AnyHandler[] = [];
  let unknownHandlers: readonly AnyHandler[] = [];
  let errorHandlers: readonly WebhookErrorHandler[] = [];
  /** Per type: its own handlers then the onAny ones; rebuilt lazily after any change. */
  const table = new Map<string, readonly AnyHandler[]>();

  function unsubscriber(remove: () => void): Unsubscribe {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      remove();
      table.clear();
    };
  }

  return {
    on(type, handler) {
      checkHandler(handler, 'on');
      const types: readonly unknown[] = Array.isArray(type) ? type : [type];
      if (types.length === 0) throw invalidArgument('webhooks.on([]): give at least one event type.');
      types.forEach(checkEventType);
      const registered = [...new Set(types as readonly string[])];
      const fn = handler as AnyHandler;
      for (const t of registered) byType.set(t, [...(byType.get(t) ?? []), fn]);
      table.clear();
      return unsubscriber(() => {
        for (const t of registered) {
          const list = without(byType.get(t) ?? [], fn);
          if (list.length === 0) byType.delete(t);
          else byType.set(t, list);
        }
      });
    },
    onAny(handler) {
      checkHandler(handler, 'onAny');
      const fn = handler as AnyHandler;
      anyHandlers = [...anyHandlers, fn];
      table.clear();
      return unsubscriber(() => {
        anyHandlers = without(anyHandlers, fn);
      });
    },
    onUnknown(handler) {
      checkHandler(handler, 'onUnknown');
      const fn = handler as AnyHandler;
      unknownHandlers = [...unknownHandlers, fn];
      return unsubscriber(() => {
        unknownHandlers = without(unknownHandlers, fn);
      });
    },
    onError(handler) {
      checkHandler(handler, 'onError');
      errorHandlers = [...errorHandlers, handler];
      return unsubscriber(() => {
        errorHandlers = without(errorHandlers, handler);
      });
    },
    handlersFor(type) {
      let list = table.get(type);
      if (list === undefined) {
        const own = byType.get(type);
        list = own === undefined ? anyHandlers : anyHandlers.length === 0 ? own : [...own, ...anyHandlers];
        table.set(type, list);
      }
      return list;
    },
    unknownHandlers: () => unknownHandlers,
    errorHandlers: () => errorHandlers,
  };
}
