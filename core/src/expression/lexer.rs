//! Tokeniser. The lexer is a cursor over the source (its whole state is a byte offset), so
//! the parser can look ahead and rewind cheaply, e.g. to tell `(a, b) => ...` from `(a + b)`.

use super::error::ExpressionError;

/// Punctuators. Operators the subset refuses (`=`, `+=`, `++`, ...) still get tokens so the
/// parser can say *why* they are refused instead of reporting a generic unexpected character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum P {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Colon,
    Question,
    QuestionDot,
    Nullish,
    Dot,
    Ellipsis,
    Arrow,
    Plus,
    Minus,
    Star,
    StarStar,
    Slash,
    Percent,
    Bang,
    Tilde,
    StrictEq,
    StrictNe,
    LooseEq,
    LooseNe,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Amp,
    Pipe,
    Caret,
    Shl,
    Shr,
    UShr,
    Assign,
    AssignOp,
    PlusPlus,
    MinusMinus,
}

/// A template literal: `quasis.len() == exprs.len() + 1`. Embedded expressions are kept as
/// byte ranges and parsed by a sub-parser, which keeps the lexer free of parser state.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TemplateTok {
    pub quasis: Vec<String>,
    pub exprs: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Str(String),
    Template(TemplateTok),
    /// Identifiers and keywords alike; the parser decides which words are special.
    Ident(String),
    Punct(P),
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    /// A line terminator precedes the token (needed for `return` and statement ends).
    pub nl_before: bool,
}

type LexResult<T> = Result<T, ExpressionError>;

/// Cursor over `src[..end]`.
#[derive(Debug, Clone)]
pub(super) struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    end: usize,
    max_depth: usize,
}

/// Longest-first table of punctuators.
const PUNCTS: &[(&str, P)] = &[
    (">>>=", P::AssignOp),
    ("...", P::Ellipsis),
    ("===", P::StrictEq),
    ("!==", P::StrictNe),
    ("**=", P::AssignOp),
    ("<<=", P::AssignOp),
    (">>=", P::AssignOp),
    (">>>", P::UShr),
    ("&&=", P::AssignOp),
    ("||=", P::AssignOp),
    ("??=", P::AssignOp),
    ("=>", P::Arrow),
    ("==", P::LooseEq),
    ("!=", P::LooseNe),
    ("**", P::StarStar),
    ("*=", P::AssignOp),
    ("+=", P::AssignOp),
    ("-=", P::AssignOp),
    ("/=", P::AssignOp),
    ("%=", P::AssignOp),
    ("&=", P::AssignOp),
    ("|=", P::AssignOp),
    ("^=", P::AssignOp),
    ("++", P::PlusPlus),
    ("--", P::MinusMinus),
    ("<<", P::Shl),
    (">>", P::Shr),
    ("<=", P::Le),
    (">=", P::Ge),
    ("&&", P::AndAnd),
    ("||", P::OrOr),
    ("??", P::Nullish),
    ("?.", P::QuestionDot),
    ("(", P::LParen),
    (")", P::RParen),
    ("[", P::LBracket),
    ("]", P::RBracket),
    ("{", P::LBrace),
    ("}", P::RBrace),
    (",", P::Comma),
    (";", P::Semi),
    (":", P::Colon),
    ("?", P::Question),
    (".", P::Dot),
    ("+", P::Plus),
    ("-", P::Minus),
    ("*", P::Star),
    ("/", P::Slash),
    ("%", P::Percent),
    ("!", P::Bang),
    ("~", P::Tilde),
    ("<", P::Lt),
    (">", P::Gt),
    ("&", P::Amp),
    ("|", P::Pipe),
    ("^", P::Caret),
    ("=", P::Assign),
];

/// JavaScript's WhiteSpace set (not Rust's `char::is_whitespace`, which differs on U+0085
/// and U+FEFF).
pub(super) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\u{0B}' | '\u{0C}' | ' ' | '\u{A0}' | '\u{FEFF}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// JavaScript's LineTerminator set.
pub(super) fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

pub(super) fn is_id_start(c: char) -> bool {
    c == '$' || c == '_' || c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic())
}

pub(super) fn is_id_continue(c: char) -> bool {
    c == '$' || c == '_' || c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric())
}

impl<'s> Lexer<'s> {
    /// A lexer over `src[start..end]`; positions stay absolute offsets into `src`.
    pub fn new(src: &'s str, start: usize, end: usize, max_depth: usize) -> Self {
        let end = end.min(src.len());
        Lexer { src, pos: start.min(end), end, max_depth }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.end);
    }

    fn peek_char(&self) -> Option<char> {
        self.src.get(self.pos..self.end).and_then(|s| s.chars().next())
    }

    fn peek_char_at(&self, offset: usize) -> Option<char> {
        self.src.get(self.pos..self.end).and_then(|s| s.chars().nth(offset))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn rest(&self) -> &'s str {
        self.src.get(self.pos..self.end).unwrap_or("")
    }

    /// Skips whitespace and comments; reports whether a line terminator was crossed.
    fn skip_trivia(&mut self) -> LexResult<bool> {
        let mut nl = false;
        loop {
            let rest = self.rest();
            if rest.starts_with("//") {
                while let Some(c) = self.peek_char() {
                    if is_line_terminator(c) {
                        break;
                    }
                    self.bump();
                }
            } else if rest.starts_with("/*") {
                let start = self.pos;
                match rest.get(2..).and_then(|r| r.find("*/")) {
                    Some(i) => {
                        let comment = rest.get(..i + 2).unwrap_or("");
                        if comment.chars().any(is_line_terminator) {
                            nl = true;
                        }
                        self.pos += i + 4;
                    }
                    None => return Err(ExpressionError::syntax("Unterminated comment", start)),
                }
            } else {
                match self.peek_char() {
                    Some(c) if is_line_terminator(c) => {
                        nl = true;
                        self.bump();
                    }
                    Some(c) if is_js_whitespace(c) => {
                        self.bump();
                    }
                    _ => return Ok(nl),
                }
            }
        }
    }

    /// Lexes the next token.
    pub fn next_token(&mut self) -> LexResult<Token> {
        self.next_token_at(0)
    }

    /// `tdepth` counts template nesting, which recurses through this function.
    fn next_token_at(&mut self, tdepth: usize) -> LexResult<Token> {
        let nl_before = self.skip_trivia()?;
        let start = self.pos;
        let Some(c) = self.peek_char() else {
            return Ok(Token { tok: Tok::Eof, start, end: start, nl_before });
        };
        let tok = if c.is_ascii_digit()
            || (c == '.' && self.peek_char_at(1).is_some_and(|d| d.is_ascii_digit()))
        {
            self.number()?
        } else if c == '"' || c == '\'' {
            self.bump();
            Tok::Str(self.string(c, start)?)
        } else if c == '`' {
            self.bump();
            Tok::Template(self.template(start, tdepth)?)
        } else if is_id_start(c) {
            let rest = self.rest();
            let len = rest
                .char_indices()
                .find(|&(_, ch)| !is_id_continue(ch))
                .map_or(rest.len(), |(i, _)| i);
            self.pos += len;
            Tok::Ident(rest.get(..len).unwrap_or("").to_string())
        } else if c == '\\' {
            return Err(ExpressionError::syntax(
                "Unicode escapes in identifiers are not supported",
                start,
            ));
        } else {
            self.punct(start)?
        };
        Ok(Token { tok, start, end: self.pos, nl_before })
    }

    fn punct(&mut self, start: usize) -> LexResult<Tok> {
        let rest = self.rest();
        for (text, p) in PUNCTS {
            if rest.starts_with(text) {
                // `a?.5:1` is a conditional, not optional chaining.
                if *p == P::QuestionDot
                    && rest.as_bytes().get(2).is_some_and(|b| b.is_ascii_digit())
                {
                    continue;
                }
                self.pos += text.len();
                return Ok(Tok::Punct(*p));
            }
        }
        let c = self.peek_char().unwrap_or('?');
        Err(ExpressionError::syntax(format!("Invalid or unexpected token '{c}'"), start))
    }

    fn number(&mut self) -> LexResult<Tok> {
        let start = self.pos;
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let radix = match (bytes.first(), bytes.get(1)) {
            (Some(b'0'), Some(b'x' | b'X')) => Some(16),
            (Some(b'0'), Some(b'o' | b'O')) => Some(8),
            (Some(b'0'), Some(b'b' | b'B')) => Some(2),
            _ => None,
        };
        let value = if let Some(radix) = radix {
            self.pos += 2;
            let digits = self.digits(|c| c.is_digit(radix))?;
            if digits.is_empty() {
                return Err(ExpressionError::syntax("Invalid or unexpected token", start));
            }
            digits.chars().fold(0.0f64, |acc, d| {
                acc * f64::from(radix) + f64::from(d.to_digit(radix).unwrap_or(0))
            })
        } else {
            if bytes.first() == Some(&b'0')
                && bytes.get(1).is_some_and(|b| b.is_ascii_digit() || *b == b'_')
            {
                return Err(ExpressionError::syntax(
                    "Legacy octal literals are not supported",
                    start,
                ));
            }
            let mut text = self.digits(|c| c.is_ascii_digit())?;
            if self.peek_char() == Some('.') {
                self.bump();
                let frac = self.digits(|c| c.is_ascii_digit())?;
                if !frac.is_empty() {
                    text.push('.');
                    text.push_str(&frac);
                }
            }
            if matches!(self.peek_char(), Some('e' | 'E')) {
                let save = self.pos;
                self.bump();
                let mut exp = String::from("e");
                if let Some(s @ ('+' | '-')) = self.peek_char() {
                    self.bump();
                    exp.push(s);
                }
                let d = self.digits(|c| c.is_ascii_digit())?;
                if d.is_empty() {
                    self.pos = save;
                    return Err(ExpressionError::syntax("Invalid or unexpected token", start));
                }
                exp.push_str(&d);
                text.push_str(&exp);
            }
            if text.is_empty() || text.starts_with('.') {
                text.insert(0, '0');
            }
            text.parse::<f64>()
                .map_err(|_| ExpressionError::syntax("Invalid number literal", start))?
        };
        match self.peek_char() {
            Some('n') => Err(ExpressionError::syntax("BigInt literals are not supported", start)),
            Some(c) if is_id_start(c) || c.is_ascii_digit() => {
                Err(ExpressionError::syntax("Invalid or unexpected token", start))
            }
            _ => Ok(Tok::Num(value)),
        }
    }

    /// Reads digits, allowing `_` separators strictly between digits.
    fn digits(&mut self, is_digit: impl Fn(char) -> bool) -> LexResult<String> {
        let mut out = String::new();
        let mut last_was_digit = false;
        while let Some(c) = self.peek_char() {
            if is_digit(c) {
                out.push(c);
                last_was_digit = true;
            } else if c == '_' && last_was_digit && self.peek_char_at(1).is_some_and(&is_digit) {
                last_was_digit = false;
            } else if c == '_' {
                return Err(ExpressionError::syntax(
                    "Numeric separators are not allowed here",
                    self.pos,
                ));
            } else {
                break;
            }
            self.bump();
        }
        Ok(out)
    }

    fn string(&mut self, quote: char, start: usize) -> LexResult<String> {
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(ExpressionError::syntax("Unterminated string literal", start)),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => self.escape(&mut out, false)?,
                Some('\n' | '\r') => {
                    return Err(ExpressionError::syntax("Unterminated string literal", start))
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn hex_digits(&mut self, n: usize) -> LexResult<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let at = self.pos;
            match self.bump().and_then(|c| c.to_digit(16)) {
                Some(d) => v = v * 16 + d,
                None => {
                    return Err(ExpressionError::syntax("Invalid hexadecimal escape sequence", at))
                }
            }
        }
        Ok(v)
    }

    /// Reads one `\u` escape's code unit or code point value (after the `u`).
    fn unicode_escape(&mut self) -> LexResult<u32> {
        if self.peek_char() == Some('{') {
            let at = self.pos;
            self.bump();
            let mut v = 0u32;
            let mut any = false;
            while let Some(d) = self.peek_char().and_then(|c| c.to_digit(16)) {
                self.bump();
                v = v.saturating_mul(16).saturating_add(d);
                any = true;
            }
            if !any || self.bump() != Some('}') || v > 0x10FFFF {
                return Err(ExpressionError::syntax("Invalid Unicode escape sequence", at));
            }
            Ok(v)
        } else {
            self.hex_digits(4)
        }
    }

    /// Decodes one escape sequence (after the backslash) into `out`.
    fn escape(&mut self, out: &mut String, in_template: bool) -> LexResult<()> {
        let at = self.pos;
        let Some(c) = self.bump() else {
            return Err(ExpressionError::syntax("Unterminated string literal", at));
        };
        match c {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{C}'),
            'v' => out.push('\u{B}'),
            '0' if !self.peek_char().is_some_and(|d| d.is_ascii_digit()) => out.push('\0'),
            '0'..='9' => {
                let what = if in_template {
                    "Octal escapes are not allowed in templates"
                } else {
                    "Octal escape sequences are not supported"
                };
                return Err(ExpressionError::syntax(what, at));
            }
            'x' => {
                let v = self.hex_digits(2)?;
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            'u' => {
                let v = self.unicode_escape()?;
                if (0xD800..0xDC00).contains(&v) {
                    // A high surrogate combines with an immediately following `\uDC00`-`\uDFFF`.
                    let save = self.pos;
                    if self.rest().starts_with("\\u") {
                        self.pos += 2;
                        let lo = self.unicode_escape()?;
                        if (0xDC00..0xE000).contains(&lo) {
                            let cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            return Ok(());
                        }
                        self.pos = save;
                    }
                    // Rust strings cannot hold lone surrogates.
                    out.push('\u{FFFD}');
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                }
            }
            '\r' => {
                if self.peek_char() == Some('\n') {
                    self.bump();
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            other => out.push(other),
        }
        Ok(())
    }

    fn template(&mut self, start: usize, tdepth: usize) -> LexResult<TemplateTok> {
        if tdepth >= self.max_depth {
            return Err(ExpressionError::syntax("Template literals nest too deeply", start));
        }
        let mut quasis = Vec::new();
        let mut exprs = Vec::new();
        let mut cur = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(ExpressionError::syntax("Unterminated template literal", start))
                }
                Some('`') => {
                    quasis.push(cur);
                    return Ok(TemplateTok { quasis, exprs });
                }
                Some('\\') => self.escape(&mut cur, true)?,
                Some('\r') => {
                    // Template cooking normalises CRLF and CR to LF.
                    if self.peek_char() == Some('\n') {
                        self.bump();
                    }
                    cur.push('\n');
                }
                Some('$') if self.peek_char() == Some('{') => {
                    self.bump();
                    let expr_start = self.pos;
                    let mut depth = 0usize;
                    loop {
                        let t = self.next_token_at(tdepth + 1)?;
                        match t.tok {
                            Tok::Punct(P::LBrace) => depth += 1,
                            Tok::Punct(P::RBrace) if depth == 0 => {
                                exprs.push((expr_start, t.start));
                                break;
                            }
                            Tok::Punct(P::RBrace) => depth -= 1,
                            Tok::Eof => {
                                return Err(ExpressionError::syntax(
                                    "Unterminated template literal",
                                    start,
                                ))
                            }
                            _ => {}
                        }
                    }
                    quasis.push(std::mem::take(&mut cur));
                }
                Some(c) => cur.push(c),
            }
        }
    }
}
