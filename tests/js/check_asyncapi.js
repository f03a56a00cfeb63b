// Validates an AsyncAPI document with the AsyncAPI initiative's own parser; prints its
// diagnostics as JSON ({severity: 0 error, 1 warning, …}). Run by tests/unit/test_asyncapi.py.
const fs = require("fs");
const { Parser } = require("@asyncapi/parser");

(async () => {
  const parser = new Parser();
  const { document, diagnostics } = await parser.parse(fs.readFileSync(process.argv[2], "utf8"));
  const found = diagnostics.map((d) => ({
    severity: d.severity, code: d.code, message: d.message, path: d.path.join("/"),
  }));
  process.stdout.write(JSON.stringify({ parsed: document !== undefined, diagnostics: found }));
})().catch((error) => {
  process.stderr.write(String(error.stack || error));
  process.exit(2);
});
