//! Block bodies of arrow functions: `const`/`let`, `if`/`else`, `return`, nested blocks and
//! expression statements. There are deliberately no loops, so every program terminates.
//!
//! Each statement counts one nesting level and each block another, and the dispatcher
//! keeps no locals of its own, so deeply nested blocks stay cheap on the stack.

use super::super::ast::{ExprKind, Pattern, Stmt};
use super::super::error::ExpressionError;
use super::super::lexer::{Tok, P};
use super::{PResult, Parser};

impl<'s> Parser<'s> {
    /// `{ statements }`.
    pub(super) fn parse_block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect(P::LBrace)?;
        self.enter()?;
        let mut stmts = Vec::new();
        while !self.at(P::RBrace) {
            if self.tok.tok == Tok::Eof {
                return Err(self.unexpected());
            }
            stmts.push(self.parse_statement()?);
        }
        self.leave();
        self.advance()?;
        Ok(stmts)
    }

    fn parse_statement(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let s = match &self.tok.tok {
            Tok::Punct(P::LBrace) => self.parse_block().map(Stmt::Block),
            Tok::Punct(P::Semi) => self.advance().map(|_| Stmt::Empty),
            Tok::Ident(w) => match w.as_str() {
                "const" | "let" => self.parse_declaration(),
                "if" => self.parse_if(),
                "return" => self.parse_return(),
                _ => self.parse_keyword_or_expression(),
            },
            _ => self.parse_expression_statement(),
        };
        self.leave();
        s
    }

    fn parse_declaration(&mut self) -> PResult<Stmt> {
        let is_const = self.at_word("const");
        self.advance()?;
        let mut decls = Vec::new();
        loop {
            let pattern = self.parse_binding_target()?;
            let init = if self.eat(P::Assign)? {
                self.parse_assign()?
            } else if is_const {
                return Err(ExpressionError::syntax(
                    "Missing initializer in const declaration",
                    self.tok.start,
                ));
            } else if !matches!(pattern, Pattern::Ident(..)) {
                return Err(ExpressionError::syntax(
                    "Missing initializer in destructuring declaration",
                    self.tok.start,
                ));
            } else {
                self.mk(ExprKind::Undefined, self.tok.start)?
            };
            decls.push((pattern, init));
            if !self.eat(P::Comma)? {
                break;
            }
        }
        self.end_statement()?;
        Ok(Stmt::Decl(decls))
    }

    fn parse_if(&mut self) -> PResult<Stmt> {
        self.advance()?;
        self.expect(P::LParen)?;
        let cond = self.parse_assign()?;
        self.expect(P::RParen)?;
        let then = self.parse_sub_statement()?;
        let otherwise = if self.at_word("else") {
            self.advance()?;
            Some(Box::new(self.parse_sub_statement()?))
        } else {
            None
        };
        Ok(Stmt::If(cond, Box::new(then), otherwise))
    }

    fn parse_return(&mut self) -> PResult<Stmt> {
        self.advance()?;
        // `return` followed by a line break returns undefined (automatic semicolon insertion).
        let bare = self.at(P::Semi)
            || self.at(P::RBrace)
            || self.tok.tok == Tok::Eof
            || self.tok.nl_before;
        let value = if bare { None } else { Some(self.parse_assign()?) };
        self.end_statement()?;
        Ok(Stmt::Return(value))
    }

    /// Refuses statement keywords outside the subset; anything else is an expression.
    fn parse_keyword_or_expression(&mut self) -> PResult<Stmt> {
        let start = self.tok.start;
        let Tok::Ident(w) = &self.tok.tok else {
            return self.parse_expression_statement();
        };
        match w.as_str() {
            "var" => {
                Err(ExpressionError::syntax("'var' is not supported; use const or let", start))
            }
            "for" | "while" | "do" => {
                Err(ExpressionError::syntax(format!("Loops are not supported ('{w}')"), start))
            }
            "function" | "class" | "switch" | "try" | "throw" | "break" | "continue" | "import"
            | "export" | "with" | "debugger" => {
                Err(ExpressionError::syntax(format!("'{w}' statements are not supported"), start))
            }
            _ => self.parse_expression_statement(),
        }
    }

    fn parse_expression_statement(&mut self) -> PResult<Stmt> {
        let e = self.parse_assign()?;
        self.end_statement()?;
        Ok(Stmt::Expr(e))
    }

    /// The body of an `if`/`else`: a statement, but not a bare declaration (as in JS).
    fn parse_sub_statement(&mut self) -> PResult<Stmt> {
        if self.at_word("const") || self.at_word("let") {
            return Err(ExpressionError::syntax(
                "Lexical declaration cannot appear in a single-statement context",
                self.tok.start,
            ));
        }
        self.parse_statement()
    }

    /// `;`, or automatic semicolon insertion before `}`, end of input or a line break.
    fn end_statement(&mut self) -> PResult<()> {
        if self.eat(P::Semi)?
            || self.at(P::RBrace)
            || self.tok.tok == Tok::Eof
            || self.tok.nl_before
        {
            return Ok(());
        }
        Err(self.unexpected())
    }
}
