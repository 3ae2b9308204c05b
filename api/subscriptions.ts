import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import { canOn, subjectDefinitions } from './ability';
import type { Context } from './context';
import { UnauthenticatedError } from './errors';
import type { DomainEvent } from './events';
import { logger } from './logger';

// One load per event per server instance, however many subscribers look at it.
const records = new WeakMap<DomainEvent, Promise<object | null>>();

function recordOf(ctx: Context, event: DomainEvent): Promise<object | null> {
  let p = records.get(event);
  if (!p) {
    const entity = subjectDefinitions.get(event.subject)?.entity;
    p = entity ? ctx.services.orm.em.fork().findOne(entity, { id: event.id }).catch((err) => {
      logger.warn({ err, event: event.type }, 'could not load event record');
      return null;
    }) : Promise.resolve(null);
    records.set(event, p);
  }
  return p;
}

/**
 * The events about one subject (optionally one record) that this subscriber may read. The
 * subscriber's ability was built once, with its context; each event's record is loaded once
 * per instance and matched against it in memory.
 */
export function subscribeToSubject(ctx: Context, subject: string, id?: number, types?: string[]): AsyncIterable<DomainEvent & { record: object }> {
  if (!ctx.user) throw new UnauthenticatedError();
  return new Repeater<DomainEvent & { record: object }>(async (push, stop) => {
    const off = ctx.events.on((event) => {
      if (event.subject !== subject) return;
      if (id !== undefined && event.id !== id) return;
      if (types && !types.includes(event.type)) return;
      void recordOf(ctx, event).then((record) => {
        if (record && canOn(ctx.ability, 'read', subject, record)) void push({ ...event, record });
      });
    });
    await stop;
    off();
  }, new SlidingBuffer(1000));
}
