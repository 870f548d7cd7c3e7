/** File-by-file progress on stderr (stdout stays clean for --json). */
export function fileProgress(label: string) {
  const tty = process.stderr.isTTY;
  return (done: number, total: number, file: { key: string; layout: { rows: number } }, ms: number) => {
    const msg = `${label} [${done}/${total}] ${file.key} (${file.layout.rows} rows, ${ms.toFixed(0)} ms)`;
    if (tty) {
      process.stderr.write(`\r\x1b[K${msg}`);
      if (done === total) process.stderr.write('\n');
    } else process.stderr.write(`${msg}\n`);
  };
}
