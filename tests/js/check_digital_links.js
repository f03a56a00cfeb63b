// Reads a JSON array of URIs on stdin; writes, for each, whether GS1's digital-link.js
// finds it a valid GS1 Digital Link (grammar and check digit) and what it reads in it.
const { DigitalLink } = require('digital-link.js');

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((uri) => {
    try {
      const link = DigitalLink(uri);
      return { uri, valid: link.isValid(), identifier: link.getIdentifier(),
               keyQualifiers: link.getKeyQualifiers() };
    } catch (error) {
      return { uri, valid: false, error: String(error) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
