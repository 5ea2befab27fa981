/**
 * Keywords the published schemas carry for editors (yaml-language-server, VS Code): enum value
 * descriptions, readable pattern messages, snippets. To ajv they are annotations; in strict mode
 * it refuses a keyword it was not told about, so every validator of those schemas adds these.
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';

export const EDITOR_KEYWORDS = ['defaultSnippets', 'enumDescriptions', 'markdownEnumDescriptions', 'markdownDescription', 'patternErrorMessage'] as const;

export function allowEditorKeywords(ajv: Ajv2020): Ajv2020 {
  ajv.addVocabulary([...EDITOR_KEYWORDS]);
  return ajv;
}
