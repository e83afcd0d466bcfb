import { join } from "node:path";
import { MAX_IDLE_STOP_MINUTES } from "../shared/idle_stop.ts";
import { hashPasswordCommand, resetPasswordCommand } from "./auth_commands.ts";
import { blueprintCheckCommand } from "./blueprint_commands.ts";
import type { CliContext, CommandSpec, FlagSpec } from "./command_spec.ts";
import { importDbCommand } from "./import_commands.ts";
import { instanceAction, listInstances } from "./instance_commands.ts";
import { instanceLogs } from "./logs_command.ts";
import { addDownload, listDownloads, MODEL_TOKEN_ENV } from "./model_commands.ts";
import { setInstance } from "./set_command.ts";
import { stopAllInstances } from "./stop_all_command.ts";
import { hostUsage, instanceUsage } from "./usage_commands.ts";
import { diskUsage } from "./disk_command.ts";
import { instanceRuns } from "./runs_command.ts";
import {
  createTokenCommand,
  listTokensCommand,
  missingDatabase,
  revokeTokenCommand,
} from "./token_commands.ts";

const SERVER = "Server";
const INSTANCES = "Instances (through the API of a running AiKore, with an API token)";
const ADMIN = "Admin (on the server machine: the database of AIKORE_DATA_DIR, directly)";
const BLUEPRINTS = "Blueprints";
const MODELS = "Shared models (through the API of a running AiKore, with an API token)";
const SYSTEM = "System (through the API of a running AiKore, with an API token)";

const API_FLAGS: FlagSpec[] = [
  {
    name: "url",
    value: "URL",
    help: "AiKore's address (default: AIKORE_URL, else http://127.0.0.1:9000)",
  },
  {
    name: "token",
    value: "TOKEN",
    help: "API token (default: AIKORE_TOKEN; prefer it: argv shows in ps)",
  },
];
const API_DETAILS = [
  "NAME is an instance's slug, or its id when no slug matches.",
  "Exit status: 0 done, 1 refused by AiKore or failed (one line: status, code, reason), 2 usage.",
];
const WAIT_FLAGS: FlagSpec[] = [
  { name: "no-wait", help: "return once AiKore accepted the request" },
  { name: "timeout", value: "SECONDS", help: "give up waiting after this long (exit 1)" },
  ...API_FLAGS,
];

const USAGE_FLAGS: FlagSpec[] = [
  { name: "hours", value: "1|6|24|168", help: "how far back (default 24)" },
  { name: "json", help: "print the API's JSON (the series, bucket by bucket) instead" },
  ...API_FLAGS,
];

const dbPath = (context: CliContext) => join(context.config().dataDir, "aikore.db");

/** Every command of `aikore`, in the order `aikore help` lists them. */
export const COMMAND_TABLE: readonly CommandSpec[] = [
  {
    words: ["serve"],
    section: SERVER,
    args: [],
    flags: [],
    summary: "Run the server (the default when no command is given).",
    details: ["Configuration comes from the environment (AIKORE_*; see the README)."],
    run: () => Promise.resolve({ exitCode: 2, output: "aikore serve is started by main.ts" }),
  },
  {
    words: ["instances", "ls"],
    section: INSTANCES,
    args: [],
    flags: [{ name: "json", help: "print the API's JSON instead of the table" }, ...API_FLAGS],
    summary: "List the instances: id, name, status, port, GPUs, idle stop, blueprint.",
    details: API_DETAILS.slice(1),
    run: listInstances,
  },
  {
    words: ["instances", "start"],
    section: INSTANCES,
    args: ["NAME"],
    flags: WAIT_FLAGS,
    summary: "Start an instance and wait until it is started or has failed.",
    details: [
      'Prints the final status ("slug: started", or "slug: exited (3) — reason" with exit 1).',
      "Warns on stderr, and starts anyway, when one of its GPUs is busy: another running " +
      "instance uses it, or under a quarter of its memory is free.",
      ...API_DETAILS,
    ],
    run: instanceAction("start"),
  },
  {
    words: ["instances", "stop"],
    section: INSTANCES,
    args: ["NAME"],
    flags: WAIT_FLAGS,
    summary: "Stop an instance and wait until nothing of it is left.",
    details: ['Prints the final status ("slug: stopped").', ...API_DETAILS],
    run: instanceAction("stop"),
  },
  {
    words: ["instances", "stop-all"],
    section: INSTANCES,
    args: [],
    flags: [],
    summary: "Stop every running instance (stopping AiKore itself leaves them running).",
    details: API_DETAILS,
    run: stopAllInstances,
  },
  {
    words: ["instances", "restart"],
    section: INSTANCES,
    args: ["NAME"],
    flags: WAIT_FLAGS,
    summary: "Stop (if running) then start an instance, and wait like start.",
    details: API_DETAILS,
    run: instanceAction("restart"),
  },
  {
    words: ["instances", "set"],
    section: INSTANCES,
    args: ["NAME"],
    flags: [
      {
        name: "idle-stop",
        value: "MINUTES|off",
        help: "stop it after MINUTES with no request or connection " +
          `(0 or off: never; at most ${MAX_IDLE_STOP_MINUTES})`,
      },
      { name: "restart", help: "confirm stopping and starting it when it runs" },
      ...API_FLAGS,
    ],
    summary: "Change an instance's settings (for now its idle-stop policy).",
    details: [
      'Prints the setting as stored ("slug: idle stop: 30 min", "slug: idle stop: off").',
      "An idle-stopped instance starts again on the next request to its address.",
      "Changing it on a running instance needs --restart (AiKore refuses otherwise).",
      ...API_DETAILS,
    ],
    run: setInstance,
  },
  {
    words: ["instances", "usage"],
    section: INSTANCES,
    args: ["NAME"],
    flags: USAGE_FLAGS,
    summary: "Print an instance's CPU, memory and VRAM over the last hours: mean, max, last.",
    details: [
      "Recorded every 10 s while it runs (its whole process tree), kept 7 days.",
      ...API_DETAILS,
    ],
    run: instanceUsage,
  },
  {
    words: ["instances", "runs"],
    section: INSTANCES,
    args: ["NAME"],
    flags: [{ name: "json", help: "print the API's JSON instead" }, ...API_FLAGS],
    summary: "Print an instance's runs: start, duration, outcome, and what changed in its " +
      "environment since the last run that worked.",
    details: [
      "The environment (its packages and git checkouts) is read once a run is healthy, or when " +
      "it fails before.",
      ...API_DETAILS,
    ],
    run: instanceRuns,
  },
  {
    words: ["instances", "logs"],
    section: INSTANCES,
    args: ["NAME"],
    flags: [
      { name: "tail", value: "N", help: "only the last N lines (of the last MiB)" },
      { name: "follow", help: "keep printing new output until the instance stops (Ctrl-C leaves)" },
      {
        name: "plain",
        help: "the text as the terminal showed it: no colours, redraws at their end",
      },
      ...API_FLAGS,
    ],
    summary: "Print an instance's log (the current run).",
    details: API_DETAILS,
    run: instanceLogs,
  },
  {
    words: ["usage"],
    section: SYSTEM,
    args: [],
    flags: USAGE_FLAGS,
    summary: "Print the host's CPU and RAM and each GPU over the last hours: mean, max, last.",
    details: [
      "Recorded every 10 s whether or not a page is open; 10 s samples for 6 h, 5-minute " +
      "averages for 7 days.",
      ...API_DETAILS.slice(1),
    ],
    run: hostUsage,
  },
  {
    words: ["disk"],
    section: SYSTEM,
    args: [],
    flags: [
      { name: "depth", value: "1|2|3", help: "how many folder levels to print (default 2)" },
      { name: "json", help: "print the API's JSON (the whole measured tree) instead" },
      ...API_FLAGS,
    ],
    summary: "Measure the data folder now and print where its space goes, folder by folder.",
    details: [
      "Each instance's folder (app, environment, logs), its outputs, the shared models and the " +
      "trash, named by what they belong to. Sizes are what the files take on the disk; links " +
      "are not followed.",
      ...API_DETAILS.slice(1),
    ],
    run: diskUsage,
  },
  {
    words: ["models", "download"],
    section: MODELS,
    args: ["URL"],
    flags: [
      {
        name: "folder",
        value: "FOLDER",
        help: "where it goes, under the shared models folder (default: the folder itself)",
      },
      { name: "name", value: "NAME", help: "the file's name (default: the server's)" },
      { name: "wait", help: "follow it until it is done (exit 0) or has failed (exit 1)" },
      ...API_FLAGS,
    ],
    summary: "Download a file into the shared models folder (AiKore fetches it).",
    details: [
      `A token for Hugging Face or CivitAI is read from ${MODEL_TOKEN_ENV} (never a flag: argv ` +
      "shows in ps); AiKore sends it as a bearer token and never stores it.",
      "The download goes on after a broken connection or a restart of AiKore.",
      'Prints "ID NAME → FOLDER: STATUS, PROGRESS"; with --wait, progress goes to stderr.',
      API_DETAILS[1] as string,
    ],
    run: addDownload,
  },
  {
    words: ["models", "downloads"],
    section: MODELS,
    args: [],
    flags: [{ name: "json", help: "print the API's JSON instead of the table" }, ...API_FLAGS],
    summary: "List the model downloads: id, status, progress, folder, name.",
    details: API_DETAILS.slice(1),
    run: listDownloads,
  },
  {
    words: ["import-db"],
    section: ADMIN,
    args: ["FILE"],
    flags: [
      {
        name: "accept-proposed-slugs",
        help: "import rows whose names are not slugs under the proposed slug",
      },
      { name: "dry-run", help: "report what would be imported; write nothing" },
      { name: "merge", help: "import into a database that already has instances" },
      {
        name: "old-instances-dir",
        value: "DIR",
        help: "where the old instance folders are (default: FILE's folder/instances)",
      },
    ],
    summary: "Import a Python-AiKore database (the old file is never changed).",
    details: [
      "Invalid names are reported with a proposed slug. Exit status: 0 imported, 1 failed, 2 usage.",
    ],
    run: (args, context) =>
      importDbCommand(args.raw, {
        cwd: context.cwd,
        dataDir: context.config().dataDir,
        portRange: context.config().portRange,
      }),
  },
  {
    words: ["hash-password"],
    section: ADMIN,
    args: [],
    flags: [],
    summary: "Read a password on stdin and print its scrypt hash.",
    details: [
      "The password is read without echo from a terminal, or as the first line of piped stdin;",
      "never from the command line (argv is visible to every user in ps).",
    ],
    run: (_args, context) => hashPasswordCommand([], { readPassword: context.readPassword }),
  },
  {
    words: ["reset-password"],
    section: ADMIN,
    args: [],
    flags: [{
      name: "clear",
      help: "remove the password: the next start prints a one-time setup link",
    }],
    summary: "Set a new password (read on stdin) and sign every session out.",
    details: ["Works on the database of AIKORE_DATA_DIR, also while AiKore runs."],
    run: async (args, context) => {
      const path = dbPath(context);
      return await missingDatabase(path) ??
        await resetPasswordCommand(args.flags.has("clear") ? ["--clear"] : [], {
          dbPath: path,
          readPassword: context.readPassword,
        });
    },
  },
  {
    words: ["tokens", "ls"],
    section: ADMIN,
    args: [],
    flags: [],
    summary: "List the live API tokens (never their values).",
    details: [],
    run: (_args, context) => listTokensCommand(dbPath(context)),
  },
  {
    words: ["tokens", "create"],
    section: ADMIN,
    args: ["NAME"],
    flags: [],
    summary: "Create an API token and print it (shown once) for AIKORE_TOKEN.",
    details: ['Example: export AIKORE_TOKEN="$(aikore tokens create laptop)"'],
    run: (args, context) => createTokenCommand(dbPath(context), args.positionals[0] as string),
  },
  {
    words: ["tokens", "revoke"],
    section: ADMIN,
    args: ["ID"],
    flags: [],
    summary: "Revoke an API token by its id (see tokens ls).",
    details: [],
    run: (args, context) => revokeTokenCommand(dbPath(context), args.positionals[0] as string),
  },
  {
    words: ["blueprint", "check"],
    section: BLUEPRINTS,
    args: ["FILE"],
    flags: [],
    summary: "Check a blueprint: its metadata block (errors by line) and bash syntax.",
    details: ["Needs no data dir. Exit status: 0 valid, 1 invalid, 2 usage."],
    run: (args, context) => blueprintCheckCommand(args.positionals, { cwd: context.cwd }),
  },
];
