import { commandHelp, overviewHelp } from "./command_help.ts";
import type { CommandSpec } from "./command_spec.ts";

const INTRO = `# AiKore command line

<!-- Generated from lib/cli/command_table.ts: edit the table, then run
     UPDATE_USAGE=1 deno test --allow-all lib/cli/usage_document_test.ts -->

Run it as \`aikore <command>\` in the Docker image, or \`deno task cli <command>\` from the source tree.
Every section below is exactly what \`aikore <command> --help\` prints.

## Talking to a running AiKore

The \`instances\` commands use AiKore's HTTP API with an API token:

- \`AIKORE_URL\`: where AiKore listens (default \`http://127.0.0.1:9000\`); \`--url\` wins over it.
- \`AIKORE_TOKEN\`: an API token; \`--token\` wins over it (but a token on the command line is visible
  to every user of the machine in \`ps\`, so prefer the variable).
- Create a token in the dashboard (Settings, API tokens) or on the server machine with
  \`export AIKORE_TOKEN="$(aikore tokens create laptop)"\`.

A failure prints one line, \`error: <HTTP status> <code>: <message> (<field>: <reason>)\`, and exits
1; a wrong command line exits 2 with the usage. The admin commands work on the database of
\`AIKORE_DATA_DIR\` directly and do not need the server.
`;

/** docs/USAGE.md: the overview, then each command's `--help` text. */
export function usageDocument(table: readonly CommandSpec[]): string {
  const sections = table.map((spec) =>
    `### aikore ${spec.words.join(" ")}\n\n\`\`\`text\n${commandHelp(spec)}\n\`\`\`\n`
  );
  return [
    INTRO,
    "## Commands\n",
    `\`\`\`text\n${overviewHelp(table)}\n\`\`\`\n`,
    ...sections,
  ].join("\n");
}
