// Chunking throughput, chunkDocument vs LangChain's RecursiveCharacterTextSplitter at 1000/200 on the same text: npx tsx bench/chunking.ts [pagesDir]

import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { chunkDocument } from "../src/chunks/chunker";
import { corpusBlocks } from "./lib/corpus";
import { selfCpuMs } from "./lib/cpu";
import { loadPages, mibPerSecond, pagesDirFromArgs } from "./lib/pages";
import { recordSummary } from "./lib/summary";

const CHUNK_SIZE = 1000;
const CHUNK_OVERLAP = 200;
const CORPUS_CHARS = 8 * 1024 * 1024;
const ROUNDS = 5;

/** Best of `ROUNDS` CPU times of `run`, after one warm-up round. */
async function bestMs(run: () => unknown): Promise<number> {
  await run();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const start = selfCpuMs();
    await run();
    best = Math.min(best, selfCpuMs() - start);
  }
  return best;
}

async function main() {
  const dir = pagesDirFromArgs(process.argv);
  if (dir === null) return;
  const blocks = corpusBlocks(loadPages(dir), CORPUS_CHARS);
  // LangChain gets the same text with headings as lines, so both see identical characters.
  const text = blocks.map((b) => b.text).join("\n\n");
  const bytes = Buffer.byteLength(text);
  // As in the pipeline, chunkDocument gets the extracted document: its blocks and the same text.
  const doc = { title: null, blocks, text };
  const options = { chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP };
  const splitter = new RecursiveCharacterTextSplitter(options);

  const ours = chunkDocument(doc, options);
  const theirs = await splitter.splitText(text);
  const oursMs = await bestMs(() => chunkDocument(doc, options));
  const theirsMs = await bestMs(() => splitter.splitText(text));
  const oursRate = mibPerSecond(bytes, oursMs);
  const theirsRate = mibPerSecond(bytes, theirsMs);
  const mean = (xs: string[]) => xs.reduce((s, x) => s + x.length, 0) / xs.length;
  console.log(
    `corpus: ${(bytes / 1048576).toFixed(1)} MiB, ${blocks.length} blocks, size/overlap ${CHUNK_SIZE}/${CHUNK_OVERLAP}`,
  );
  console.log(
    `chunkDocument:                  ${oursMs.toFixed(1)} ms, ${oursRate.toFixed(1)} MiB/s, ${ours.length} chunks, mean ${mean(ours.map((c) => c.text)).toFixed(0)} chars`,
  );
  console.log(
    `RecursiveCharacterTextSplitter: ${theirsMs.toFixed(1)} ms, ${theirsRate.toFixed(1)} MiB/s, ${theirs.length} chunks, mean ${mean(theirs).toFixed(0)} chars`,
  );
  console.log(`ratio: ${(oursRate / theirsRate).toFixed(1)}x (target >= 5x)`);
  recordSummary([
    {
      benchmark: "chunking",
      figure: `chunkDocument ${CHUNK_SIZE}/${CHUNK_OVERLAP}`,
      value: `${oursRate.toFixed(0)} MiB/s`,
      baseline: "LangChain RecursiveCharacterTextSplitter",
      baselineValue: `${theirsRate.toFixed(0)} MiB/s`,
      ratio: `${(oursRate / theirsRate).toFixed(1)}x`,
    },
  ]);
}

await main();
