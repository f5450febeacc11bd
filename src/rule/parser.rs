//! Recursive-descent parser for SPEC §2.
//!
//! Recursion happens only through parentheses, and the nesting depth
//! (parentheses, `not`/`!` and groups) is checked *before* each level is
//! entered, so no input can overflow the stack. Chains of `and`/`or` are
//! parsed iteratively and flattened. Everything is linear in the input.
//!
//! Tags are collected into a rule-local table of distinct keys; node ids are
//! indices into that table until [`super::Rule::compile`] interns the keys
//! and rewrites them to global ids.

use std::collections::HashMap;

use super::lexer::{Kw, Lexer, SyntaxError, Tok, Token};
use super::{GroupKind, Node};
use crate::tags::parse_tag;
use crate::tagset::SeededState;

/// Longest rule source, in bytes.
pub const MAX_SOURCE_BYTES: usize = 65_536;
/// Deepest nesting of parentheses, `not`s and groups.
pub const MAX_DEPTH: usize = 100;

/// A parsed rule, with rule-local tag ids.
pub(crate) struct Parsed {
    pub root: Node,
    /// Distinct keys, in order of first appearance (local id = index).
    pub keys: Vec<String>,
    /// First spelling of each key.
    pub spellings: Vec<String>,
}

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    peeked: Option<Token<'a>>,
    depth: usize,
    keys: Vec<String>,
    spellings: Vec<String>,
    local: HashMap<String, u32, SeededState>,
    /// For each local id, the serial of the last group that listed it (to
    /// de-duplicate a group's ids in linear time).
    group_mark: Vec<u32>,
    group_serial: u32,
}

/// Parses a rule source.
pub(crate) fn parse(src: &str) -> Result<Parsed, SyntaxError> {
    if src.len() > MAX_SOURCE_BYTES {
        return Err(SyntaxError {
            message: format!(
                "expected a rule of at most {MAX_SOURCE_BYTES} bytes but found {} bytes",
                src.len()
            ),
            pos: 0,
        });
    }
    let mut p = Parser {
        src,
        lexer: Lexer::new(src),
        peeked: None,
        depth: 0,
        keys: Vec::new(),
        spellings: Vec::new(),
        local: HashMap::with_hasher(SeededState::new()),
        group_mark: Vec::new(),
        group_serial: 0,
    };
    let root = p.parse_or()?;
    let t = p.next()?;
    if t.tok != Tok::End {
        return Err(p.expected("'and', 'or' or end of rule", &t));
    }
    Ok(Parsed {
        root: flatten(root),
        keys: p.keys,
        spellings: p.spellings,
    })
}

/// Shortens text quoted in a message and escapes what would not print.
fn describe_text(s: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n == MAX_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl<'a> Parser<'a> {
    fn peek(&mut self) -> Result<&Token<'a>, SyntaxError> {
        let t = match self.peeked.take() {
            Some(t) => t,
            None => self.lexer.next_token()?,
        };
        Ok(self.peeked.insert(t))
    }

    fn next(&mut self) -> Result<Token<'a>, SyntaxError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lexer.next_token(),
        }
    }

    /// How a token reads in a message.
    fn found(&self, t: &Token<'_>) -> String {
        if t.tok == Tok::End {
            return "end of rule".into();
        }
        format!(
            "'{}'",
            describe_text(self.src.get(t.start..t.end).unwrap_or(""))
        )
    }

    fn expected(&self, what: &str, t: &Token<'_>) -> SyntaxError {
        SyntaxError {
            message: format!("expected {what} but found {}", self.found(t)),
            pos: t.start,
        }
    }

    /// Enters one more level of nesting, at the token starting at `pos`.
    fn enter(&mut self, pos: usize) -> Result<(), SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(SyntaxError {
                message: format!(
                    "expected at most {MAX_DEPTH} nested levels (parentheses, 'not' and groups) but found more"
                ),
                pos,
            });
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self, levels: usize) {
        self.depth = self.depth.saturating_sub(levels);
    }

    fn parse_or(&mut self) -> Result<Node, SyntaxError> {
        let first = self.parse_and()?;
        if !self.at_or()? {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.at_or()? {
            self.next()?;
            items.push(self.parse_and()?);
        }
        Ok(Node::Or(items.into_boxed_slice()))
    }

    fn at_or(&mut self) -> Result<bool, SyntaxError> {
        Ok(matches!(self.peek()?.tok, Tok::OrOr | Tok::Kw(Kw::Or)))
    }

    fn at_and(&mut self) -> Result<bool, SyntaxError> {
        Ok(matches!(self.peek()?.tok, Tok::AndAnd | Tok::Kw(Kw::And)))
    }

    fn parse_and(&mut self) -> Result<Node, SyntaxError> {
        let first = self.parse_unary()?;
        if !self.at_and()? {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.at_and()? {
            self.next()?;
            items.push(self.parse_unary()?);
        }
        Ok(Node::And(items.into_boxed_slice()))
    }

    fn parse_unary(&mut self) -> Result<Node, SyntaxError> {
        let mut nots = 0usize;
        while matches!(self.peek()?.tok, Tok::Bang | Tok::Kw(Kw::Not)) {
            let t = self.next()?;
            self.enter(t.start)?;
            nots += 1;
        }
        let mut node = self.parse_primary()?;
        for _ in 0..nots {
            node = Node::Not(Box::new(node));
        }
        self.leave(nots);
        Ok(node)
    }

    fn parse_primary(&mut self) -> Result<Node, SyntaxError> {
        let t = self.next()?;
        match t.tok {
            Tok::LParen => {
                self.enter(t.start)?;
                let inner = self.parse_or()?;
                let close = self.next()?;
                if close.tok != Tok::RParen {
                    return Err(self.expected("')'", &close));
                }
                self.leave(1);
                Ok(inner)
            }
            Tok::Kw(Kw::True) => Ok(Node::Const(true)),
            Tok::Kw(Kw::False) => Ok(Node::Const(false)),
            Tok::Kw(kw @ (Kw::Any | Kw::All | Kw::None | Kw::AtLeast)) => {
                self.enter(t.start)?;
                let node = self.parse_group(kw)?;
                self.leave(1);
                Ok(node)
            }
            Tok::Word(_) | Tok::Quoted(_) => self.parse_held(&t),
            _ => Err(self.expected(
                "a tag, 'not', '(', 'true', 'false' or a group (any, all, none, atleast)",
                &t,
            )),
        }
    }

    /// Validates a tag token (SPEC §1) and returns its local id and spelling.
    fn tag(&mut self, t: &Token<'_>) -> Result<(u32, Box<str>), SyntaxError> {
        let text: &str = match &t.tok {
            Tok::Word(w) => w,
            Tok::Quoted(q) => q,
            _ => return Err(self.expected("a tag", t)),
        };
        let tag = parse_tag(text).map_err(|e| SyntaxError {
            message: format!(
                "expected a tag of 1 to 255 bytes without control characters but found {} ({e})",
                self.found(t)
            ),
            pos: t.start,
        })?;
        let id = match self.local.get(&tag.key) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.keys.len()).map_err(|_| SyntaxError {
                    message: "expected fewer tags but found too many".into(),
                    pos: t.start,
                })?;
                self.local.insert(tag.key.clone(), id);
                self.keys.push(tag.key);
                self.spellings.push(tag.spelling.clone());
                id
            }
        };
        Ok((id, tag.spelling.into_boxed_str()))
    }

    fn parse_held(&mut self, t: &Token<'_>) -> Result<Node, SyntaxError> {
        let (id, spelling) = self.tag(t)?;
        let min_age = if self.peek()?.tok == Tok::Kw(Kw::For) {
            self.next()?;
            let d = self.next()?;
            let Tok::Word(w) = d.tok else {
                return Err(self.expected("a duration such as 7d, 36h or 1w2d", &d));
            };
            Some(parse_duration(w).map_err(|overflow| {
                self.expected(
                    if overflow {
                        "a duration of at most 18446744073709551615 seconds"
                    } else {
                        "a duration such as 7d, 36h or 1w2d"
                    },
                    &d,
                )
            })?)
        } else {
            None
        };
        Ok(Node::Held {
            id,
            min_age,
            spelling,
        })
    }

    fn expect(&mut self, tok: Tok<'static>, what: &str) -> Result<(), SyntaxError> {
        let t = self.next()?;
        if t.tok == tok {
            Ok(())
        } else {
            Err(self.expected(what, &t))
        }
    }

    fn parse_group(&mut self, kw: Kw) -> Result<Node, SyntaxError> {
        self.expect(Tok::LParen, &format!("'(' after '{}'", kw.as_str()))?;
        let kind = match kw {
            Kw::Any => GroupKind::Any,
            Kw::All => GroupKind::All,
            Kw::None => GroupKind::None,
            _ => {
                let t = self.next()?;
                let n = match t.tok {
                    Tok::Word(w) if w.bytes().all(|b| b.is_ascii_digit()) => parse_count(w),
                    _ => return Err(self.expected("a whole number", &t)),
                };
                self.expect(Tok::Comma, "','")?;
                GroupKind::AtLeast(n)
            }
        };
        self.group_serial = self.group_serial.wrapping_add(1);
        let serial = self.group_serial;
        let mut ids: Vec<u32> = Vec::new();
        let mut spellings: Vec<Box<str>> = Vec::new();

        let mut t = self.next()?;
        if !matches!(t.tok, Tok::Word(_) | Tok::Quoted(_)) {
            return Err(self.expected("a tag", &t));
        }
        loop {
            let (id, spelling) = self.tag(&t)?;
            spellings.push(spelling);
            let idx = id as usize;
            if self.group_mark.len() <= idx {
                self.group_mark.resize(idx + 1, 0);
            }
            if let Some(mark) = self.group_mark.get_mut(idx) {
                if *mark != serial {
                    *mark = serial;
                    ids.push(id);
                }
            }
            let sep = self.next()?;
            match sep.tok {
                Tok::RParen => break,
                Tok::Comma => {
                    t = self.next()?;
                    match t.tok {
                        Tok::RParen => break,
                        Tok::Word(_) | Tok::Quoted(_) => {}
                        _ => return Err(self.expected("a tag or ')'", &t)),
                    }
                }
                _ => return Err(self.expected("',' or ')'", &sep)),
            }
        }
        Ok(Node::Group {
            kind,
            ids: ids.into_boxed_slice(),
            spellings: spellings.into_boxed_slice(),
        })
    }
}

/// Flattens chains of one operator (`(a and b) and c` is `a and b and c`),
/// moving each node once: linear however the chains were parenthesised.
/// Recursion is bounded by the nesting limit.
fn flatten(n: Node) -> Node {
    match n {
        Node::And(xs) => {
            let mut out = Vec::with_capacity(xs.len());
            collect(xs, true, &mut out);
            Node::And(out.into_boxed_slice())
        }
        Node::Or(xs) => {
            let mut out = Vec::with_capacity(xs.len());
            collect(xs, false, &mut out);
            Node::Or(out.into_boxed_slice())
        }
        Node::Not(x) => Node::Not(Box::new(flatten(*x))),
        other => other,
    }
}

/// Appends the operands of a chain to `out`, splicing nested chains of the
/// same operator.
fn collect(xs: Box<[Node]>, is_and: bool, out: &mut Vec<Node>) {
    for x in xs.into_vec() {
        match x {
            Node::And(ys) if is_and => collect(ys, true, out),
            Node::Or(ys) if !is_and => collect(ys, false, out),
            other => out.push(flatten(other)),
        }
    }
}

/// The INT of `atleast`, saturating at `u64::MAX`: a count that large can
/// never be reached (a rule names at most a few tens of thousands of tags),
/// so saturation keeps the meaning "always false" without an error.
fn parse_count(digits: &str) -> u64 {
    digits.bytes().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}

/// Seconds per DURATION unit (units are case-insensitive, like keywords).
fn unit_seconds(u: u8) -> Option<u64> {
    match u.to_ascii_lowercase() {
        b'w' => Some(7 * 86_400),
        b'd' => Some(86_400),
        b'h' => Some(3_600),
        b'm' => Some(60),
        b's' => Some(1),
        _ => None,
    }
}

/// A DURATION (`1*(INT UNIT)`) in seconds. `Err(false)` when the word is no
/// duration, `Err(true)` when it is one that does not fit in 64 bits.
pub(crate) fn parse_duration(w: &str) -> Result<u64, bool> {
    let b = w.as_bytes();
    // Shape first, so a malformed word is reported as such even when long.
    let mut i = 0;
    let mut saw_digit = false;
    if b.is_empty() {
        return Err(false);
    }
    for &c in b {
        if c.is_ascii_digit() {
            saw_digit = true;
        } else if unit_seconds(c).is_some() && saw_digit {
            saw_digit = false;
        } else {
            return Err(false);
        }
    }
    if saw_digit {
        return Err(false); // digits without a unit at the end
    }
    let mut total: u64 = 0;
    let mut n: u64 = 0;
    while let Some(&c) = b.get(i) {
        if c.is_ascii_digit() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(c - b'0')))
                .ok_or(true)?;
        } else {
            let secs = unit_seconds(c).ok_or(false)?;
            total = n
                .checked_mul(secs)
                .and_then(|s| total.checked_add(s))
                .ok_or(true)?;
            n = 0;
        }
        i += 1;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(7 * 86_400));
        assert_eq!(parse_duration("1w2d"), Ok(9 * 86_400));
        assert_eq!(parse_duration("36h"), Ok(36 * 3_600));
        assert_eq!(parse_duration("90m"), Ok(5_400));
        assert_eq!(parse_duration("0s"), Ok(0));
        assert_eq!(parse_duration("1D1d"), Ok(2 * 86_400));
        assert_eq!(parse_duration("007s"), Ok(7));
        assert_eq!(parse_duration("7"), Err(false));
        assert_eq!(parse_duration("d"), Err(false));
        assert_eq!(parse_duration("7x"), Err(false));
        assert_eq!(parse_duration("7dd"), Err(false));
        assert_eq!(parse_duration("1d2"), Err(false));
        assert_eq!(parse_duration(""), Err(false));
        assert_eq!(parse_duration("18446744073709551615s"), Ok(u64::MAX));
        assert_eq!(parse_duration("18446744073709551616s"), Err(true));
        assert_eq!(parse_duration("40000000000000w"), Err(true));
        assert_eq!(parse_duration("18446744073709551615s1s"), Err(true));
        assert_eq!(parse_duration("99999999999999999999999x"), Err(false));
    }

    #[test]
    fn counts_saturate() {
        assert_eq!(parse_count("0"), 0);
        assert_eq!(parse_count("0042"), 42);
        assert_eq!(parse_count("99999999999999999999999999"), u64::MAX);
    }
}
