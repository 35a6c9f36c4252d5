/**
 * Recognition time against message length (npm run bench:long-input): the bot's recognizer on
 * messages of 1 KB to 100 KB of words and of punctuation (one token per character, the tagger's
 * worst case), median of --runs runs each. The recognizer reads a bounded window
 * (MAX_RECOGNIZED_CHARS), so the times should flatten past it; the goal is under 50 ms at 100 KB.
 */
import { arg } from './lib/args';
import { loadTrainingData, LocalRecognizer, MAX_RECOGNIZED_CHARS } from '../recognizers';
import { fromRoot } from '../src/paths';

const runs = Number(arg('runs', '15'));
const recognizer = LocalRecognizer.train(loadTrainingData(fromRoot('data/nlu.yml')), { builtinEntities: ['email', 'phonenumber', 'url'] });
const words = ['where', 'is', 'my', 'order', '12345', 'please', 'help', 'ORD-2093', 'tracking', 'the', 'package'];

function text(kind: string, bytes: number): string {
  if (kind === 'punctuation') return '#-'.repeat(bytes / 2);
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += `${words[(i * 7) % words.length]} `;
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

recognizer.parse('warm up where is my order 12345');
console.log(`window: ${MAX_RECOGNIZED_CHARS} characters; ${runs} runs per cell`);
console.log('| length | words ms (median / max) | punctuation ms (median / max) |');
console.log('|---|---|---|');
for (const kb of [1, 4, 10, 40, 100]) {
  const cells = ['words', 'punctuation'].map((kind) => {
    const input = text(kind, kb * 1024);
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      recognizer.parse(input);
      times.push(performance.now() - start);
    }
    return `${median(times).toFixed(2)} / ${Math.max(...times).toFixed(2)}`;
  });
  console.log(`| ${kb} KB | ${cells.join(' | ')} |`);
}
