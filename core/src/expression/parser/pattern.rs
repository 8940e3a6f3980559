//! Binding patterns: arrow parameters and `const`/`let` targets, with destructuring.

use super::super::ast::{ObjPatProp, Param, PatElem, Pattern, PropKey};
use super::super::error::ExpressionError;
use super::super::lexer::{Tok, P};
use super::{is_reserved, PResult, Parser};

impl<'s> Parser<'s> {
    /// `x` in `x => ...`.
    pub(super) fn parse_single_param(&mut self) -> PResult<Param> {
        let (name, pos) = self.parse_binding_ident()?;
        Ok(Param {
            elem: PatElem { pattern: Pattern::Ident(name, pos), default: None },
            rest: false,
        })
    }

    /// `(a, {b, c} = {}, ...rest)`.
    pub(super) fn parse_params(&mut self) -> PResult<Vec<Param>> {
        self.expect(P::LParen)?;
        self.enter()?;
        let mut params = Vec::new();
        while !self.at(P::RParen) {
            if self.eat(P::Ellipsis)? {
                let pattern = self.parse_binding_target()?;
                if self.at(P::Assign) {
                    return Err(ExpressionError::syntax(
                        "Rest parameter may not have a default initializer",
                        self.tok.start,
                    ));
                }
                params.push(Param { elem: PatElem { pattern, default: None }, rest: true });
                if !self.at(P::RParen) {
                    return Err(ExpressionError::syntax(
                        "Rest parameter must be last formal parameter",
                        self.tok.start,
                    ));
                }
                break;
            }
            params.push(Param { elem: self.parse_pat_elem()?, rest: false });
            if !self.eat(P::Comma)? {
                break;
            }
        }
        self.expect(P::RParen)?;
        self.leave();
        Ok(params)
    }

    pub(super) fn parse_binding_ident(&mut self) -> PResult<(String, usize)> {
        match &self.tok.tok {
            Tok::Ident(w) if !is_reserved(w) => {
                let w = w.clone();
                let pos = self.advance()?.start;
                Ok((w, pos))
            }
            Tok::Ident(w) => Err(ExpressionError::syntax(
                format!("'{w}' cannot be used as a binding name"),
                self.tok.start,
            )),
            _ => Err(self.unexpected()),
        }
    }

    /// An identifier or a destructuring pattern.
    pub(super) fn parse_binding_target(&mut self) -> PResult<Pattern> {
        if self.at(P::LBrace) {
            self.parse_object_pattern()
        } else if self.at(P::LBracket) {
            self.parse_array_pattern()
        } else {
            let (name, pos) = self.parse_binding_ident()?;
            Ok(Pattern::Ident(name, pos))
        }
    }

    /// A target with an optional `= default`.
    fn parse_pat_elem(&mut self) -> PResult<PatElem> {
        let pattern = self.parse_binding_target()?;
        let default = if self.eat(P::Assign)? { Some(self.parse_assign()?) } else { None };
        Ok(PatElem { pattern, default })
    }

    fn parse_object_pattern(&mut self) -> PResult<Pattern> {
        self.expect(P::LBrace)?;
        self.enter()?;
        let mut props = Vec::new();
        let mut rest = None;
        while !self.at(P::RBrace) {
            if self.eat(P::Ellipsis)? {
                rest = Some(self.parse_binding_ident()?);
                if !self.at(P::RBrace) {
                    return Err(ExpressionError::syntax(
                        "Rest element must be last element",
                        self.tok.start,
                    ));
                }
                break;
            }
            let key_tok = self.tok.clone();
            let key = self.parse_prop_key()?;
            let elem = if self.eat(P::Colon)? {
                self.parse_pat_elem()?
            } else {
                // Shorthand: the key names the binding.
                let (name, pos) = match (&key_tok.tok, &key) {
                    (Tok::Ident(w), PropKey::Static(name, pos)) if !is_reserved(w) => {
                        (name.clone(), *pos)
                    }
                    _ => {
                        return Err(ExpressionError::syntax(
                            "Expected ':' after computed or literal key in pattern",
                            self.tok.start,
                        ))
                    }
                };
                let default = if self.eat(P::Assign)? { Some(self.parse_assign()?) } else { None };
                PatElem { pattern: Pattern::Ident(name, pos), default }
            };
            props.push(ObjPatProp { key, elem });
            if !self.eat(P::Comma)? {
                break;
            }
        }
        self.expect(P::RBrace)?;
        self.leave();
        Ok(Pattern::Object { props, rest })
    }

    fn parse_array_pattern(&mut self) -> PResult<Pattern> {
        self.expect(P::LBracket)?;
        self.enter()?;
        let mut items = Vec::new();
        let mut rest = None;
        loop {
            if self.at(P::RBracket) {
                break;
            }
            if self.at(P::Comma) {
                self.advance()?;
                items.push(None);
                continue;
            }
            if self.eat(P::Ellipsis)? {
                rest = Some(Box::new(self.parse_binding_target()?));
                if !self.at(P::RBracket) {
                    return Err(ExpressionError::syntax(
                        "Rest element must be last element",
                        self.tok.start,
                    ));
                }
                break;
            }
            items.push(Some(self.parse_pat_elem()?));
            if !self.eat(P::Comma)? {
                break;
            }
        }
        self.expect(P::RBracket)?;
        self.leave();
        Ok(Pattern::Array { items, rest })
    }
}
