/**
 * The label selector query-string grammar (`?labelSelector=`), following upstream's
 * lexer and recursive-descent parser closely enough to give the same answers and
 * the same error messages:
 *
 *   selector    := requirement ("," requirement)*  |  ""
 *   requirement := ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 */
import { compareCodePoints, SelectorError } from './errors.ts';
import { binaryOperators, type LabelRequirement, labelKeyError, newRequirement } from './requirement.ts';

type Tok = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item {
  readonly tok: Tok;
  readonly text: string;
}

/** Literal spellings of every token except identifiers and the end. */
const literalTokens = new Map<string, Tok>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSymbol = (ch: string): boolean => '=!(),><'.includes(ch) && ch.length === 1;
const END = '\0';

function tokenize(input: string): Item[] {
  let pos = 0;
  const read = (): string => (pos < input.length ? input[pos++]! : END);
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isSpace(ch)) ch = read();
    if (ch === END) {
      items.push({ tok: 'end', text: '' });
      return items;
    }
    pos--;
    if (isSymbol(ch)) {
      // longest run of symbols that still spells a token
      let buf = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === END) break;
        if (!isSymbol(c)) {
          pos--;
          break;
        }
        buf += c;
        const tok = literalTokens.get(buf);
        if (tok) last = { tok, text: buf };
        else if (last) {
          pos--;
          break;
        }
      }
      // every single symbol is a token, so `last` is always set here
      items.push(last ?? { tok: 'id', text: buf });
    } else {
      let buf = '';
      for (;;) {
        const c = read();
        if (c === END) break;
        if (isSymbol(c) || isSpace(c)) {
          pos--;
          break;
        }
        buf += c;
      }
      items.push({ tok: literalTokens.get(buf) ?? 'id', text: buf });
    }
  }
}

/** `in`/`notin` are plain identifiers wherever a key or value is expected. */
type Context = 'operator' | 'values';

class Parser {
  private readonly items: Item[];
  private position = 0;

  constructor(input: string) {
    this.items = tokenize(input);
  }

  private at(index: number, context: Context): Item {
    const item = this.items[Math.min(index, this.items.length - 1)]!;
    if (context === 'values' && (item.tok === 'in' || item.tok === 'notin'))
      return { tok: 'id', text: item.text };
    return item;
  }

  private peek(context: Context = 'values'): Item {
    return this.at(this.position, context);
  }

  private next(context: Context = 'values'): Item {
    return this.at(this.position++, context);
  }

  parse(): LabelRequirement[] {
    const out: LabelRequirement[] = [];
    for (;;) {
      const first = this.peek();
      if (first.tok === 'end') return out;
      if (first.tok !== 'id' && first.tok !== '!') {
        throw new SelectorError(`found '${first.text}', expected: !, identifier, or 'end of string'`);
      }
      try {
        out.push(this.requirement());
      } catch (e) {
        if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next();
      if (after.tok === 'end') return out;
      if (after.tok !== ',')
        throw new SelectorError(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.tok !== 'id' && following.tok !== '!') {
        throw new SelectorError(`found '${following.text}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): LabelRequirement {
    let negated = false;
    let item = this.next();
    if (item.tok === '!') {
      negated = true;
      item = this.next();
    }
    if (item.tok !== 'id') throw new SelectorError(`found '${item.text}', expected: identifier`);
    const key = item.text;
    const keyErr = labelKeyError(key, '<nil>');
    if (keyErr) throw new SelectorError(keyErr);
    const la = this.peek().tok;
    if (negated) return newRequirement(key, '!', []);
    if (la === 'end' || la === ',') return newRequirement(key, 'exists', []);

    const op = this.next('operator');
    let operator: string;
    let values: string[];
    switch (op.tok) {
      case 'in':
      case 'notin':
        operator = op.tok;
        values = this.valueSet();
        break;
      case '=':
      case '==':
      case '!=':
        operator = op.tok;
        values = this.exactValue();
        break;
      case '>':
      case '<':
        operator = op.tok === '>' ? 'gt' : 'lt';
        values = this.exactValue();
        break;
      default:
        throw new SelectorError(`found '${op.text}', expected: ${binaryOperators.join(', ')}`);
    }
    return newRequirement(key, operator, values);
  }

  /** `(a,b,,c)`: a set of possibly empty values, returned sorted and deduplicated. */
  private valueSet(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new SelectorError(`found '${open.text}' expected: '('`);
    const first = this.peek();
    if (first.tok === ')') {
      this.next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') {
      throw new SelectorError(`found '${first.text}', expected: ',', ')' or identifier`);
    }
    const set = this.identifierList();
    if (this.next().tok !== ')') throw new SelectorError(`found '${first.text}', expected: ')'`);
    return [...set].sort(compareCodePoints);
  }

  private identifierList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const item = this.next();
      if (item.tok === 'id') {
        set.add(item.text);
        const la = this.peek();
        if (la.tok === ')') return set;
        if (la.tok !== ',') throw new SelectorError(`found '${la.text}', expected: ',' or ')'`);
      } else if (item.tok === ',') {
        if (set.size === 0) set.add(''); // "(,"
        const la = this.peek().tok;
        if (la === ')') {
          set.add(''); // ",)"
          return set;
        }
        if (la === ',') {
          this.next();
          set.add(''); // ",,"
        }
      } else {
        throw new SelectorError(`found '${item.text}', expected: ',', or identifier`);
      }
    }
  }

  /** The single value after `=`, `==`, `!=`, `>` or `<`; nothing at all means "". */
  private exactValue(): string[] {
    const la = this.peek().tok;
    if (la === 'end' || la === ',') return [''];
    const item = this.next();
    if (item.tok === 'id') return [item.text];
    throw new SelectorError(`found '${item.text}', expected: identifier`);
  }
}

/** Parses the query-string form into requirements, in source order (not yet sorted). */
export function parseLabelRequirements(input: string): LabelRequirement[] {
  return new Parser(input).parse();
}
