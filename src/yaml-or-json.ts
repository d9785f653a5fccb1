// Operator-written files (profiles, webhook sources) in YAML or JSON, read one way: JSON by its
// extension, YAML otherwise, and YAML's warnings (an unknown tag, an ambiguous alias) refused
// like errors, since in such a file they are mistakes. Messages name the file.
import { parseDocument } from 'yaml';

export function parseYamlOrJson(text: string, source: string, refuse: (message: string) => Error): unknown {
  if (source.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw refuse(`${source}: not valid JSON: ${(err as Error).message}`);
    }
  }
  const doc = parseDocument(text, { prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw refuse(`${source}: not valid YAML: ${problem.message}`);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw refuse(`${source}: not valid YAML: ${(err as Error).message}`);
  }
}
