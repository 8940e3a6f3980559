//! Expression grammar, lower half: postfix chains (member access, calls, optional
//! chaining) and primary expressions (literals, identifiers, parentheses, arrays,
//! objects, templates).
//!
//! The functions on the recursion path (`parse_postfix`, `parse_primary` and the container
//! parsers) only dispatch; everything else lives in helpers that have returned before
//! recursion goes deeper, so each nesting level costs little stack. Every container counts
//! one nesting level (`enter`), on top of the one `parse_assign` counts for its contents.

use super::super::ast::{Expr, ExprKind, Item, PropDef, PropKey};
use super::super::convert::number_to_string;
use super::super::error::ExpressionError;
use super::super::lexer::{TemplateTok, Tok, P};
use super::{is_reserved, PResult, Parser};

impl<'s> Parser<'s> {
    /// A primary expression followed by `.name`, `?.name`, `[index]`, `(args)` links.
    pub(super) fn parse_postfix(&mut self) -> PResult<Expr> {
        let start = self.tok.start;
        let mut e = self.parse_primary()?;
        let mut in_chain = false;
        loop {
            e = match &self.tok.tok {
                Tok::Punct(P::Dot) => {
                    self.advance()?;
                    self.parse_member(e, false, start)?
                }
                Tok::Punct(P::QuestionDot) => {
                    self.advance()?;
                    in_chain = true;
                    match &self.tok.tok {
                        Tok::Punct(P::LParen) => self.parse_call(e, true, start)?,
                        Tok::Punct(P::LBracket) => self.parse_index(e, true, start)?,
                        _ => self.parse_member(e, true, start)?,
                    }
                }
                Tok::Punct(P::LBracket) => self.parse_index(e, false, start)?,
                Tok::Punct(P::LParen) => self.parse_call(e, false, start)?,
                Tok::Template(_) => return Err(self.refuse("Tagged templates are not supported")),
                Tok::Punct(P::PlusPlus | P::MinusMinus) if !self.tok.nl_before => {
                    return Err(self.unexpected())
                }
                _ => break,
            };
        }
        if in_chain {
            e = self.mk(ExprKind::OptionalChain(Box::new(e)), start)?;
        }
        Ok(e)
    }

    /// `.name`: any IdentifierName, keywords included (`a.default`, `a.if`).
    fn parse_member(&mut self, object: Expr, optional: bool, start: usize) -> PResult<Expr> {
        let Tok::Ident(name) = &self.tok.tok else {
            return Err(self.unexpected());
        };
        let name = name.clone();
        self.advance()?;
        self.mk(ExprKind::Member { object: Box::new(object), name, optional }, start)
    }

    fn parse_call(&mut self, callee: Expr, optional: bool, start: usize) -> PResult<Expr> {
        let callee_end = self.prev_end;
        let args = self.parse_args()?;
        self.mk(ExprKind::Call { callee: Box::new(callee), args, optional, callee_end }, start)
    }

    fn parse_index(&mut self, object: Expr, optional: bool, start: usize) -> PResult<Expr> {
        self.expect(P::LBracket)?;
        self.enter()?;
        let index = self.parse_assign()?;
        self.leave();
        self.expect(P::RBracket)?;
        self.mk(
            ExprKind::Index { object: Box::new(object), index: Box::new(index), optional },
            start,
        )
    }

    /// `( args )`, with spread.
    fn parse_args(&mut self) -> PResult<Vec<Item>> {
        self.expect(P::LParen)?;
        self.enter()?;
        let mut args = Vec::new();
        while !self.at(P::RParen) {
            args.push(self.parse_item()?);
            if !self.eat(P::Comma)? {
                break;
            }
        }
        self.leave();
        self.expect(P::RParen)?;
        Ok(args)
    }

    /// `...expr` or `expr` (array elements and arguments).
    fn parse_item(&mut self) -> PResult<Item> {
        Ok(if self.eat(P::Ellipsis)? {
            Item::Spread(self.parse_assign()?)
        } else {
            Item::Expr(self.parse_assign()?)
        })
    }

    fn parse_primary(&mut self) -> PResult<Expr> {
        match &self.tok.tok {
            Tok::Punct(P::LParen) => self.parse_parenthesized(),
            Tok::Punct(P::LBracket) => self.parse_array_literal(),
            Tok::Punct(P::LBrace) => self.parse_object_literal(),
            Tok::Template(_) => self.parse_template(),
            _ => self.parse_leaf(),
        }
    }

    /// Literals and identifiers: everything that does not nest.
    fn parse_leaf(&mut self) -> PResult<Expr> {
        let start = self.tok.start;
        let kind = match &self.tok.tok {
            Tok::Num(n) => ExprKind::Num(*n),
            Tok::Str(s) => ExprKind::Str(s.clone()),
            Tok::Ident(w) => match w.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                "null" => ExprKind::Null,
                "undefined" => ExprKind::Undefined,
                // Parsed as identifiers so the compiler refuses them as unknown.
                "this" | "arguments" | "eval" => ExprKind::Ident(w.clone()),
                "new" => return Err(ExpressionError::syntax("'new' is not supported", start)),
                "function" | "class" => {
                    return Err(ExpressionError::syntax(
                        format!("'{w}' is not supported; use an arrow function"),
                        start,
                    ))
                }
                "for" | "while" | "do" => {
                    return Err(ExpressionError::syntax(
                        format!("Loops are not supported ('{w}')"),
                        start,
                    ))
                }
                "import" | "export" | "super" | "yield" | "await" | "async" => {
                    return Err(ExpressionError::syntax(format!("'{w}' is not supported"), start))
                }
                other if is_reserved(other) => return Err(self.unexpected()),
                other => ExprKind::Ident(other.to_string()),
            },
            Tok::Punct(P::Slash) => {
                return Err(ExpressionError::syntax(
                    "Regular expression literals are not supported",
                    start,
                ))
            }
            Tok::Punct(P::AssignOp)
                if self.src.get(start..).is_some_and(|s| s.starts_with("/=")) =>
            {
                return Err(ExpressionError::syntax(
                    "Regular expression literals are not supported",
                    start,
                ))
            }
            _ => return Err(self.unexpected()),
        };
        self.advance()?;
        self.mk(kind, start)
    }

    fn parse_parenthesized(&mut self) -> PResult<Expr> {
        self.expect(P::LParen)?;
        self.enter()?;
        let mut e = self.parse_assign()?;
        self.leave();
        e.paren = true;
        if self.at(P::Comma) {
            return Err(ExpressionError::syntax(
                "The comma operator is not supported",
                self.tok.start,
            ));
        }
        self.expect(P::RParen)?;
        Ok(e)
    }

    fn parse_template(&mut self) -> PResult<Expr> {
        let start = self.tok.start;
        let Tok::Template(TemplateTok { quasis, exprs: ranges }) = self.advance()?.tok else {
            return Err(self.unexpected());
        };
        self.enter()?;
        let mut exprs = Vec::with_capacity(ranges.len());
        for (s, e) in ranges {
            exprs.push(self.parse_template_part(s, e)?);
        }
        self.leave();
        self.mk(ExprKind::Template { quasis, exprs }, start)
    }

    /// One `${...}` part, parsed by a sub-parser over its byte range (positions stay
    /// absolute, and the nesting depth carries over).
    fn parse_template_part(&mut self, s: usize, e: usize) -> PResult<Expr> {
        let mut sub = Parser::new(self.src, s, e, self.max_depth, self.depth)?;
        if sub.tok.tok == Tok::Eof {
            return Err(ExpressionError::syntax("Empty template expression", s));
        }
        let expr = sub.parse_assign()?;
        if sub.tok.tok != Tok::Eof {
            return Err(sub.unexpected());
        }
        Ok(expr)
    }

    fn parse_array_literal(&mut self) -> PResult<Expr> {
        let start = self.expect(P::LBracket)?.start;
        self.enter()?;
        let mut items = Vec::new();
        while !self.at(P::RBracket) {
            if self.eat(P::Comma)? {
                items.push(Item::Hole);
                continue;
            }
            items.push(self.parse_item()?);
            if !self.eat(P::Comma)? {
                break;
            }
        }
        self.leave();
        self.expect(P::RBracket)?;
        self.mk(ExprKind::Array(items), start)
    }

    fn parse_object_literal(&mut self) -> PResult<Expr> {
        let start = self.expect(P::LBrace)?.start;
        self.enter()?;
        let mut props = Vec::new();
        while !self.at(P::RBrace) {
            props.push(self.parse_object_prop()?);
            if !self.eat(P::Comma)? {
                break;
            }
        }
        self.leave();
        self.expect(P::RBrace)?;
        self.mk(ExprKind::Object(props), start)
    }

    fn parse_object_prop(&mut self) -> PResult<PropDef> {
        if self.eat(P::Ellipsis)? {
            return Ok(PropDef::Spread(self.parse_assign()?));
        }
        let shorthand_ok = matches!(&self.tok.tok, Tok::Ident(w) if !is_reserved(w) || w == "this");
        let key = self.parse_prop_key()?;
        if self.eat(P::Colon)? {
            return Ok(PropDef::Init(key, self.parse_assign()?));
        }
        if self.at(P::LParen) {
            return Err(ExpressionError::syntax(
                "Method definitions are not supported; use `name: (args) => ...`",
                self.tok.start,
            ));
        }
        // Shorthand `{ a }` is only valid for a plain identifier key.
        match key {
            PropKey::Static(name, pos) if shorthand_ok => {
                if self.at(P::Assign) {
                    return Err(ExpressionError::syntax(
                        "Invalid shorthand property initializer",
                        self.tok.start,
                    ));
                }
                let value = self.mk(ExprKind::Ident(name.clone()), pos)?;
                Ok(PropDef::Init(PropKey::Static(name, pos), value))
            }
            _ => Err(self.unexpected()),
        }
    }

    /// An object key: identifier name, string, number or `[computed]`.
    pub(super) fn parse_prop_key(&mut self) -> PResult<PropKey> {
        let start = self.tok.start;
        let key = match &self.tok.tok {
            Tok::Ident(w) => w.clone(),
            Tok::Str(s) => s.clone(),
            Tok::Num(n) => number_to_string(*n),
            Tok::Punct(P::LBracket) => return self.parse_computed_key(),
            _ => return Err(self.unexpected()),
        };
        self.advance()?;
        Ok(PropKey::Static(key, start))
    }

    fn parse_computed_key(&mut self) -> PResult<PropKey> {
        self.expect(P::LBracket)?;
        self.enter()?;
        let e = self.parse_assign()?;
        self.leave();
        self.expect(P::RBracket)?;
        Ok(PropKey::Computed(e))
    }
}
