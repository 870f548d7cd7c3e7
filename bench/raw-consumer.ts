/**
 * Child process of the e2e bench: a plain kafkajs consumer that only counts messages, the
 * baseline for "raw kafkajs produce → consume". Protocol on stdout, one line each:
 *   READY                       joined the group (assignment received)
 *   COUNT <n>                   every 500 ms
 *   DONE <n> <lastMessageAtMs>  when <n> >= --expect, then it exits
 *
 *   tsx bench/raw-consumer.ts --brokers host:port --topic t --expect 500000
 */
import { createKafka } from '../src/transport/kafka.js';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

const brokers = arg('brokers').split(',');
const topic = arg('topic');
const expect = Number(arg('expect'));
const kafka = createKafka({ brokers, clientId: 'bench-raw-consumer' });
const consumer = kafka.consumer({
  groupId: `${topic}.raw-consumer`,
  maxBytesPerPartition: 4 * 1_048_576,
  maxBytes: 32 * 1_048_576,
  maxWaitTimeInMs: 100,
});
let count = 0;
let last = 0;
let done = false;
consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('READY\n'));
const timer = setInterval(() => process.stdout.write(`COUNT ${count}\n`), 500);
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  partitionsConsumedConcurrently: 4,
  eachBatch: async ({ batch }) => {
    count += batch.messages.length;
    last = Date.now();
    if (count >= expect && !done) {
      done = true;
      clearInterval(timer);
      process.stdout.write(`DONE ${count} ${last}\n`);
      setImmediate(async () => {
        await consumer.disconnect();
        process.exit(0);
      });
    }
  },
});
process.on('SIGTERM', async () => {
  await consumer.disconnect();
  process.exit(0);
});
