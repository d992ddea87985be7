/**
 * Unicode Script property of a code point, as a small integer, for the "one script per piece" rule of
 * SentencePiece's trainer. Uses the engine's `\p{Script=…}` tables; unassigned code points count as Common,
 * like spm's table.
 */

// Most frequent scripts first: a lookup stops at the first match.
const SCRIPT_NAMES = (
  'Common Latin Inherited Han Hiragana Katakana Cyrillic Greek Arabic Hebrew Hangul Devanagari Thai Bengali ' +
  'Tamil Telugu Georgian Armenian Ethiopic Gujarati Gurmukhi Kannada Malayalam Oriya Sinhala Khmer Lao Myanmar ' +
  'Tibetan Mongolian Syriac Thaana Bopomofo Yi Cherokee Canadian_Aboriginal Runic Ogham Braille Coptic ' +
  'Adlam Ahom Anatolian_Hieroglyphs Avestan Balinese Bamum Bassa_Vah Batak Bhaiksuki Brahmi Buginese Buhid ' +
  'Carian Caucasian_Albanian Chakma Cham Chorasmian Cuneiform Cypriot Cypro_Minoan Deseret Dives_Akuru Dogra ' +
  'Duployan Egyptian_Hieroglyphs Elbasan Elymaic Glagolitic Gothic Grantha Gunjala_Gondi Hanifi_Rohingya ' +
  'Hanunoo Hatran Imperial_Aramaic Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kawi Kayah_Li ' +
  'Kharoshthi Khitan_Small_Script Khojki Khudawadi Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani ' +
  'Makasar Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive ' +
  'Meroitic_Hieroglyphs Miao Modi Mro Multani Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu ' +
  'Nyiakeng_Puachue_Hmong Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian ' +
  'Old_South_Arabian Old_Turkic Old_Uyghur Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician ' +
  'Psalter_Pahlavi Rejang Samaritan Saurashtra Sharada Shavian Siddham SignWriting Sogdian Sora_Sompeng Soyombo ' +
  'Sundanese Syloti_Nagri Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tangsa Tangut Tifinagh Tirhuta Toto ' +
  'Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Zanabazar_Square'
).split(' ');

/** Script id of Common (punctuation, digits, symbols, unassigned). */
export const SCRIPT_COMMON = 1;
/** Script id of Inherited (combining marks, which take the script of the character before them). */
export const SCRIPT_INHERITED = 3;
/** Script id of Han. */
export const SCRIPT_HAN = 4;
/** Script id of Hiragana. */
export const SCRIPT_HIRAGANA = 5;
/** Script id of Katakana. */
export const SCRIPT_KATAKANA = 6;

let matchers: RegExp[] | null = null;
// Lazily filled cache over the whole code space: 0 = not looked up yet, otherwise 1 + index into SCRIPT_NAMES.
let cache: Uint8Array | null = null;

function buildMatchers(): RegExp[] {
  const out: RegExp[] = [];
  for (const name of SCRIPT_NAMES) {
    try {
      out.push(new RegExp(`^\\p{Script=${name}}$`, 'u'));
    } catch {
      // An older engine without this script: its characters fall through to Common.
      out.push(/$^/u);
    }
  }
  return out;
}

/** Returns the script id (>= 1) of code point `cp`; ids are stable within a process. */
export function scriptOf(cp: number): number {
  if (cache === null) cache = new Uint8Array(0x110000);
  const hit = cache[cp];
  if (hit !== undefined && hit !== 0) return hit;
  if (matchers === null) matchers = buildMatchers();
  const ch = String.fromCodePoint(cp);
  let id = SCRIPT_COMMON;
  for (let i = 0; i < matchers.length; i++) {
    if (matchers[i]!.test(ch)) {
      id = i + 1;
      break;
    }
  }
  cache[cp] = id;
  return id;
}
