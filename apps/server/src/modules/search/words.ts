// Letters (with their combining marks) and digits make words; every other character separates them.
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/u;
// camelCase and PascalCase: a boundary before a capital that follows a lower-case letter (`getCurrent`), and
// before a capitalised word that follows an acronym or a digit (`HTTPServer`, `utf8Decode`). A digit
// followed by capitals alone is no boundary, so `SHA256` and `A1B2` stay whole.
const LOWER_UPPER = /(\p{Ll})(\p{Lu})/gu;
const BEFORE_WORD = /([\p{Lu}\p{N}])(\p{Lu}\p{Ll})/gu;

/**
 * The lower-case words of a capability name, in order: `get_current_weather`, `get-current-weather`,
 * `weather.current`, `files/read`, `getCurrentWeather` and `HTTPServer` all split where a reader would.
 * Stored as `capabilities.name_words` and applied to search terms, so both sides split the same way.
 */
export function nameWords(name: string): string[] {
  const marked = name.replace(LOWER_UPPER, '$1 $2').replace(BEFORE_WORD, '$1 $2');
  return marked
    .split(SEPARATORS)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}
