//! Expression grammar, upper half: assignment level (arrow functions), conditional,
//! binary operators and prefix operators.
//!
//! Binary operators use an explicit operator stack (shunting-yard) and prefix operators a
//! loop, so neither recurses on input: the only recursion is through nested constructs
//! (parentheses, brackets, calls, ...), each of which is depth-counted. This keeps the Rust
//! stack per nesting level small, which matters on wasm (1 MiB stack) and in debug builds.

use super::super::ast::{ArrowBody, ArrowFn, BinaryOp, Expr, ExprKind, LogicalOp, Param, UnaryOp};
use super::super::error::ExpressionError;
use super::super::lexer::{Tok, P};
use super::{is_reserved, PResult, Parser};

#[derive(Clone, Copy)]
enum BinKind {
    Bin(BinaryOp),
    Logic(LogicalOp),
}

/// Binding power of a binary operator token (higher binds tighter).
fn binary_op(tok: &Tok) -> Option<(u8, BinKind)> {
    use BinKind::{Bin, Logic};
    Some(match tok {
        Tok::Punct(p) => match p {
            P::Nullish => (1, Logic(LogicalOp::Nullish)),
            P::OrOr => (2, Logic(LogicalOp::Or)),
            P::AndAnd => (3, Logic(LogicalOp::And)),
            P::Pipe => (4, Bin(BinaryOp::BitOr)),
            P::Caret => (5, Bin(BinaryOp::BitXor)),
            P::Amp => (6, Bin(BinaryOp::BitAnd)),
            P::StrictEq => (7, Bin(BinaryOp::StrictEq)),
            P::StrictNe => (7, Bin(BinaryOp::StrictNe)),
            P::LooseEq => (7, Bin(BinaryOp::LooseEq)),
            P::LooseNe => (7, Bin(BinaryOp::LooseNe)),
            P::Lt => (8, Bin(BinaryOp::Lt)),
            P::Le => (8, Bin(BinaryOp::Le)),
            P::Gt => (8, Bin(BinaryOp::Gt)),
            P::Ge => (8, Bin(BinaryOp::Ge)),
            P::Shl => (9, Bin(BinaryOp::Shl)),
            P::Shr => (9, Bin(BinaryOp::Shr)),
            P::UShr => (9, Bin(BinaryOp::UShr)),
            P::Plus => (10, Bin(BinaryOp::Add)),
            P::Minus => (10, Bin(BinaryOp::Sub)),
            P::Star => (11, Bin(BinaryOp::Mul)),
            P::Slash => (11, Bin(BinaryOp::Div)),
            P::Percent => (11, Bin(BinaryOp::Rem)),
            P::StarStar => (12, Bin(BinaryOp::Pow)),
            _ => return None,
        },
        Tok::Ident(w) if w == "in" => (8, Bin(BinaryOp::In)),
        _ => return None,
    })
}

/// Whether combining `op` with operand `e` mixes `??` and `&&`/`||` without parentheses.
fn mixes_nullish(op: LogicalOp, e: &Expr) -> bool {
    match (&e.kind, e.paren) {
        (ExprKind::Logical(inner, ..), false) => {
            (op == LogicalOp::Nullish) != (*inner == LogicalOp::Nullish)
        }
        _ => false,
    }
}

impl<'s> Parser<'s> {
    /// AssignmentExpression: an arrow function or a conditional expression. Assignment
    /// itself is refused with a clear message. Counts one nesting level.
    pub(super) fn parse_assign(&mut self) -> PResult<Expr> {
        self.enter()?;
        let start = self.tok.start;
        let r = match self.arrow_params()? {
            Some(params) => self.parse_arrow_rest(params, start),
            None => self.parse_conditional(),
        };
        self.leave();
        r
    }

    /// Parses arrow parameters if an arrow function starts here (`x =>`, `(...) =>`).
    fn arrow_params(&mut self) -> PResult<Option<Vec<Param>>> {
        let start = self.tok.start;
        if self.at_word("async")
            && matches!(self.peek_next()?.tok, Tok::Ident(_) | Tok::Punct(P::LParen))
        {
            return Err(ExpressionError::syntax("Async functions are not supported", start));
        }
        let binding_ident = matches!(&self.tok.tok, Tok::Ident(w) if !is_reserved(w));
        if binding_ident && self.peek_next()?.tok == Tok::Punct(P::Arrow) {
            return Ok(Some(vec![self.parse_single_param()?]));
        }
        if self.at(P::LParen) && self.is_arrow_at(start) {
            return Ok(Some(self.parse_params()?));
        }
        Ok(None)
    }

    /// A binary expression, optionally followed by `? :`.
    fn parse_conditional(&mut self) -> PResult<Expr> {
        let test = self.parse_binary()?;
        if self.at(P::Question) {
            return self.parse_ternary_rest(test);
        }
        match &self.tok.tok {
            Tok::Punct(P::Assign | P::AssignOp) => {
                Err(ExpressionError::syntax("Assignment is not supported", self.tok.start))
            }
            Tok::Punct(P::Arrow) => Err(ExpressionError::syntax(
                "Malformed arrow function parameter list",
                self.tok.start,
            )),
            _ => Ok(test),
        }
    }

    fn parse_ternary_rest(&mut self, test: Expr) -> PResult<Expr> {
        let pos = self.advance()?.start;
        let cons = self.parse_assign()?;
        self.expect(P::Colon)?;
        let alt = self.parse_assign()?;
        self.mk(ExprKind::Conditional(Box::new(test), Box::new(cons), Box::new(alt)), pos)
    }

    /// Scans from the `(` at `start` to its matching `)` and checks for a following `=>`.
    /// Every parenthesis met on the way gets its answer memoised, so the whole source is
    /// scanned a bounded number of times however deeply parentheses nest.
    fn is_arrow_at(&mut self, start: usize) -> bool {
        if let Some(&known) = self.arrow_memo.get(&start) {
            return known;
        }
        let save = self.lex.pos();
        let mut stack: Vec<Option<usize>> = vec![Some(start)];
        let mut closed: Option<usize> = None;
        while let Ok(t) = self.lex.next_token() {
            if let Some(p) = closed.take() {
                self.arrow_memo.insert(p, t.tok == Tok::Punct(P::Arrow));
            }
            match t.tok {
                Tok::Eof => break,
                Tok::Punct(P::LParen) => stack.push(Some(t.start)),
                Tok::Punct(P::LBracket | P::LBrace) => stack.push(None),
                Tok::Punct(P::RParen | P::RBracket | P::RBrace) => match stack.pop() {
                    Some(Some(p)) => closed = Some(p),
                    Some(None) => {}
                    None => break,
                },
                _ => {}
            }
            if stack.is_empty() && closed.is_none() {
                break;
            }
        }
        // Parentheses never closed are not arrow parameters; remembering that keeps
        // unbalanced input like `((((` linear too.
        for p in stack.into_iter().flatten() {
            self.arrow_memo.entry(p).or_insert(false);
        }
        self.lex.set_pos(save);
        self.arrow_memo.get(&start).copied().unwrap_or(false)
    }

    /// After the parameters: `=> body`. The function counts a nesting level of its own.
    fn parse_arrow_rest(&mut self, params: Vec<Param>, start: usize) -> PResult<Expr> {
        let arrow = self.expect(P::Arrow)?;
        if arrow.nl_before {
            return Err(ExpressionError::syntax("Line break before '=>'", arrow.start));
        }
        self.enter()?;
        let body = if self.at(P::LBrace) {
            ArrowBody::Block(self.parse_block()?)
        } else {
            ArrowBody::Expr(self.parse_assign()?)
        };
        self.leave();
        let f = ArrowFn { params, body, start, end: self.prev_end };
        self.mk(ExprKind::Arrow(Box::new(f)), start)
    }

    /// Binary operators by shunting-yard: operands and operators go on explicit stacks, so
    /// no precedence level costs a Rust stack frame.
    fn parse_binary(&mut self) -> PResult<Expr> {
        let mut operands: Vec<Expr> = Vec::new();
        let mut ops: Vec<(u8, BinKind, usize)> = Vec::new();
        let mut last_unary = self.at_prefix_operator();
        operands.push(self.parse_operand()?);
        loop {
            if self.at_word("instanceof") {
                return Err(self.refuse("'instanceof' is not supported"));
            }
            let Some((prec, kind)) = binary_op(&self.tok.tok) else {
                break;
            };
            let is_pow = matches!(kind, BinKind::Bin(BinaryOp::Pow));
            if is_pow && last_unary {
                return Err(self.refuse(
                    "Unary operator used immediately before exponentiation expression; use parentheses",
                ));
            }
            // Left-associative operators reduce equal precedence first; `**` is right-associative.
            while ops.last().is_some_and(|&(top, ..)| top > prec || (top == prec && !is_pow)) {
                self.reduce(&mut operands, &mut ops)?;
            }
            let pos = self.advance()?.start;
            ops.push((prec, kind, pos));
            last_unary = self.at_prefix_operator();
            operands.push(self.parse_operand()?);
        }
        while !ops.is_empty() {
            self.reduce(&mut operands, &mut ops)?;
        }
        operands.pop().ok_or_else(|| self.unexpected())
    }

    /// Combines the top operator with its two operands.
    fn reduce(&self, operands: &mut Vec<Expr>, ops: &mut Vec<(u8, BinKind, usize)>) -> PResult<()> {
        let (Some((_, kind, pos)), Some(right), Some(left)) =
            (ops.pop(), operands.pop(), operands.pop())
        else {
            return Err(self.unexpected());
        };
        let k = match kind {
            BinKind::Bin(op) => ExprKind::Binary(op, Box::new(left), Box::new(right)),
            BinKind::Logic(op) => {
                if mixes_nullish(op, &left) || mixes_nullish(op, &right) {
                    return Err(ExpressionError::syntax(
                        "'??' cannot be mixed with '&&' or '||' without parentheses",
                        pos,
                    ));
                }
                ExprKind::Logical(op, Box::new(left), Box::new(right))
            }
        };
        operands.push(self.mk(k, pos)?);
        Ok(())
    }

    fn at_prefix_operator(&self) -> bool {
        matches!(&self.tok.tok, Tok::Punct(P::Minus | P::Plus | P::Bang | P::Tilde))
            || self.at_word("typeof")
    }

    /// Prefix operators (collected in a loop, applied innermost first) and the postfix
    /// expression they apply to.
    fn parse_operand(&mut self) -> PResult<Expr> {
        let mut prefix: Vec<(UnaryOp, usize)> = Vec::new();
        loop {
            let op = match &self.tok.tok {
                Tok::Punct(P::Bang) => UnaryOp::Not,
                Tok::Punct(P::Minus) => UnaryOp::Neg,
                Tok::Punct(P::Plus) => UnaryOp::Plus,
                Tok::Punct(P::Tilde) => UnaryOp::BitNot,
                Tok::Ident(w) if w == "typeof" => UnaryOp::TypeOf,
                Tok::Ident(w) if w == "delete" || w == "void" || w == "await" => {
                    return Err(self.refuse_word());
                }
                Tok::Punct(P::PlusPlus | P::MinusMinus) => return Err(self.unexpected()),
                _ => break,
            };
            prefix.push((op, self.advance()?.start));
        }
        let mut e = self.parse_postfix()?;
        while let Some((op, pos)) = prefix.pop() {
            e = match (op, &e.kind) {
                // Fold `-<number>` so negative literals cost nothing at run time.
                (UnaryOp::Neg, ExprKind::Num(n)) => {
                    let n = -*n;
                    self.mk(ExprKind::Num(n), pos)?
                }
                _ => self.mk(ExprKind::Unary(op, Box::new(e)), pos)?,
            };
        }
        Ok(e)
    }
}
