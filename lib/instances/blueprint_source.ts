/** What the instance service needs to know about a blueprint (the catalog provides it). */
export interface BlueprintFacts {
  file: string;
  source: "stock" | "custom";
  path: string;
  metadata: {
    name: string;
    category: string;
    venvType: "conda" | "python" | "none";
    venvPath: string;
    persistentMode: boolean;
    health: { kind: "http"; path: string } | { kind: "log"; pattern: string } | { kind: "process" };
    startTimeoutSec: number;
    proxy: "port" | "path" | "both";
    /** How the path route hands the path to the app (absent: strip). */
    proxyPath?: "strip" | "keep";
  } | null;
  error: string | null;
}

/** Looks blueprints up by file name (custom first, then stock). */
export interface BlueprintSource {
  find(file: string): Promise<BlueprintFacts | null>;
  read(file: string): Promise<string>;
}
