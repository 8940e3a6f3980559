//! Recursive-descent parser for the expression subset.
//!
//! Recursion is bounded twice: `enter`/`leave` count nested constructs (so `((((...` fails
//! at `max_depth`), and `mk` refuses any node taller than `max_depth` (so loop-built chains
//! such as `a+a+a+...` cannot produce a tree that later recursive passes would overflow on).

mod expr;
mod pattern;
mod primary;
mod stmt;

use std::collections::HashMap;

use super::ast::{Expr, ExprKind};
use super::error::ExpressionError;
use super::lexer::{Lexer, Tok, Token, P};

pub(super) type PResult<T> = Result<T, ExpressionError>;

/// Words that can never name a binding or be read as a variable.
const RESERVED: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "undefined",
    "async",
    "static",
    "implements",
    "interface",
    "package",
    "private",
    "protected",
    "public",
    "arguments",
    "eval",
];

pub(super) fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

pub(super) struct Parser<'s> {
    src: &'s str,
    lex: Lexer<'s>,
    tok: Token,
    prev_end: usize,
    depth: usize,
    max_depth: usize,
    /// Whether the `(` at a given offset starts arrow parameters; filled by one scan so
    /// nested parentheses are never rescanned (keeps arrow detection linear).
    arrow_memo: HashMap<usize, bool>,
}

impl<'s> Parser<'s> {
    /// A parser over `src[start..end]` that starts `depth` levels deep (for template parts).
    fn new(
        src: &'s str,
        start: usize,
        end: usize,
        max_depth: usize,
        depth: usize,
    ) -> PResult<Self> {
        let mut lex = Lexer::new(src, start, end, max_depth);
        let tok = lex.next_token()?;
        Ok(Parser { src, lex, tok, prev_end: start, depth, max_depth, arrow_memo: HashMap::new() })
    }

    /// Parses a whole source as one expression (an arrow function is an expression too).
    /// A trailing `;` is tolerated because people paste statements.
    pub fn parse_source(src: &'s str, max_depth: usize) -> PResult<Expr> {
        let mut p = Parser::new(src, 0, src.len(), max_depth, 0)?;
        let e = p.parse_assign()?;
        while p.eat(P::Semi)? {}
        if p.tok.tok != Tok::Eof {
            return Err(p.unexpected());
        }
        Ok(e)
    }

    fn advance(&mut self) -> PResult<Token> {
        let next = self.lex.next_token()?;
        let cur = std::mem::replace(&mut self.tok, next);
        self.prev_end = cur.end;
        Ok(cur)
    }

    fn at(&self, p: P) -> bool {
        self.tok.tok == Tok::Punct(p)
    }

    fn at_word(&self, w: &str) -> bool {
        matches!(&self.tok.tok, Tok::Ident(s) if s == w)
    }

    fn eat(&mut self, p: P) -> PResult<bool> {
        if self.at(p) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn expect(&mut self, p: P) -> PResult<Token> {
        if self.at(p) {
            self.advance()
        } else {
            Err(self.unexpected())
        }
    }

    /// The token after the current one, without consuming anything.
    fn peek_next(&mut self) -> PResult<Token> {
        let save = self.lex.pos();
        let t = self.lex.next_token();
        self.lex.set_pos(save);
        t
    }

    fn token_text(&self, t: &Token) -> String {
        let text = self.src.get(t.start..t.end).unwrap_or("");
        let mut short: String = text.chars().take(30).collect();
        if short.len() < text.len() {
            short.push_str("...");
        }
        short
    }

    #[cold]
    #[inline(never)]
    fn unexpected(&self) -> ExpressionError {
        let t = &self.tok;
        let msg = match &t.tok {
            Tok::Eof => "Unexpected end of input".to_string(),
            Tok::Str(_) => "Unexpected string".to_string(),
            Tok::Num(_) => format!("Unexpected number '{}'", self.token_text(t)),
            Tok::Template(_) => "Unexpected template string".to_string(),
            Tok::Ident(w) if is_reserved(w) => format!("Unexpected token '{w}'"),
            Tok::Ident(w) => format!("Unexpected identifier '{w}'"),
            Tok::Punct(P::Assign | P::AssignOp) => "Assignment is not supported".to_string(),
            Tok::Punct(P::PlusPlus | P::MinusMinus) => {
                "Increment and decrement operators are not supported".to_string()
            }
            Tok::Punct(_) => format!("Unexpected token '{}'", self.token_text(t)),
        };
        ExpressionError::syntax(msg, t.start)
    }

    /// A syntax error at the current token. Out of line so callers' frames stay small.
    #[cold]
    #[inline(never)]
    fn refuse(&self, message: &str) -> ExpressionError {
        ExpressionError::syntax(message, self.tok.start)
    }

    /// "'word' is not supported" for the current identifier token.
    #[cold]
    #[inline(never)]
    fn refuse_word(&self) -> ExpressionError {
        let word = self.src.get(self.tok.start..self.tok.end).unwrap_or("");
        ExpressionError::syntax(format!("'{word}' is not supported"), self.tok.start)
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self, pos: usize) -> ExpressionError {
        ExpressionError::syntax(
            format!("Expression is nested too deeply (maximum depth is {})", self.max_depth),
            pos,
        )
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.too_deep(self.tok.start));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Builds a node, refusing trees taller than the depth limit.
    fn mk(&self, kind: ExprKind, pos: usize) -> PResult<Expr> {
        let height = 1 + kind.child_height();
        if height > self.max_depth {
            return Err(self.too_deep(pos));
        }
        Ok(Expr::new(kind, pos, height))
    }
}
