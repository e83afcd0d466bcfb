/**
 * Entry of `deno task test:image`: the suites that run the image, loaded into one test module so
 * that they share one build of it (test files run in separate isolates, modules do not).
 */
import "./image_suite.ts";
import "./dev_source_suite.ts";
