/** One fenced TypeScript block of the README, as the packaging test compiles it. */
export interface ReadmeBlock {
  /** `ts` blocks are compiled in the Node project, `tsx` blocks in the Vite + React project. */
  lang: 'ts' | 'tsx';
  /** The file it becomes: the fence's `title="…"`, else `readme-<line>.<lang>`. */
  file: string;
  /** Line of the opening fence, 1-based. */
  line: number;
  code: string;
}

/**
 * Every ```` ```ts ```` and ```` ```tsx ```` block of a Markdown text, in order. A block's fence may
 * name its file (```` ```ts title="agent.ts" ````); GitHub and npm read only the first word, the
 * language. Fences in other languages (`bash`, plain) are skipped.
 */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const open = /^(`{3,})(\S*)(.*)$/.exec(lines[index] ?? '');
    if (!open) continue;
    const [, fence = '```', lang = '', meta = ''] = open;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !(lines[index] ?? '').startsWith(fence); index++) {
      body.push(lines[index] ?? '');
    }
    if (lang !== 'ts' && lang !== 'tsx') continue;
    const title = /title="([^"]+)"/.exec(meta)?.[1];
    blocks.push({
      lang,
      file: title ?? `readme-${start + 1}.${lang}`,
      line: start + 1,
      code: `${body.join('\n')}\n`,
    });
  }
  return blocks;
}

/** Links a registry page cannot follow: relative targets, inline or as reference definitions. */
export function relativeLinks(markdown: string): string[] {
  const targets = [
    ...markdown.matchAll(/\]\(([^)\s]+)[^)]*\)/g),
    ...markdown.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm),
  ].map((match) => match[1] ?? '');
  return targets.filter((target) => !/^(https?:|mailto:|#)/.test(target));
}
