import { consumerGroupChannel, type ConsumerGroupJoinPayload } from '@platformatic/kafka';
import type { KafkaConsumer } from '../clients/index.ts';

/** What the runner is told of its consumer's group. */
export interface GroupEvents {
  /** A join (or rejoin) BEGINS: the client's tracing channel, before its JoinGroup request is sent. */
  joinBegan: () => void;
  /** A group request of any client was answered or failed (`ownJoin`: this consumer's join). */
  groupRequestAnswered: (ownJoin: boolean) => void;
  /** A generation began, with its assignment. */
  joined: (payload: ConsumerGroupJoinPayload) => void;
  /** The consumer left its group on an error (it joins again). */
  left: (err: unknown) => void;
}

/** Follows `consumer`'s group; returns what stops following it. */
export function followGroup(consumer: KafkaConsumer, on: GroupEvents): () => void {
  const ours = (ctx: unknown) => {
    const c = ctx as { client?: unknown; operation?: unknown };
    return c.client === consumer && c.operation === 'joinGroup';
  };
  const onStart = (ctx: unknown) => {
    if (ours(ctx)) on.joinBegan();
  };
  const onDone = (ctx: unknown) => on.groupRequestAnswered(ours(ctx));
  consumer.on('consumer:group:join', on.joined);
  consumer.on('error', on.left);
  consumerGroupChannel.start.subscribe(onStart);
  consumerGroupChannel.asyncStart.subscribe(onDone);
  return () => {
    consumer.off('consumer:group:join', on.joined);
    consumer.off('error', on.left);
    consumerGroupChannel.start.unsubscribe(onStart);
    consumerGroupChannel.asyncStart.unsubscribe(onDone);
  };
}
