//! Tokens of the rule language (SPEC §2).
//!
//! The lexer is pulled one token at a time by the parser, so a lexical error
//! is only reported once every token before it has been accepted: the error
//! always names the first token that could not be accepted.

use std::borrow::Cow;

/// A keyword (case-insensitive in the source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kw {
    And,
    Or,
    Not,
    Any,
    All,
    None,
    AtLeast,
    For,
    True,
    False,
}

impl Kw {
    /// The keyword in lower case.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kw::And => "and",
            Kw::Or => "or",
            Kw::Not => "not",
            Kw::Any => "any",
            Kw::All => "all",
            Kw::None => "none",
            Kw::AtLeast => "atleast",
            Kw::For => "for",
            Kw::True => "true",
            Kw::False => "false",
        }
    }
}

/// The keyword a word spells, ignoring case. Only ASCII letters can fold to
/// the ASCII keywords (no non-ASCII character lower-cases to one of their
/// letters), so ASCII case folding is Unicode lower-casing here.
pub(crate) fn keyword(word: &str) -> Option<Kw> {
    let b = word.as_bytes();
    if b.len() < 2 || b.len() > 7 {
        return None;
    }
    let mut buf = [0u8; 7];
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    let lower = buf.get(..b.len())?;
    Some(match lower {
        b"and" => Kw::And,
        b"or" => Kw::Or,
        b"not" => Kw::Not,
        b"any" => Kw::Any,
        b"all" => Kw::All,
        b"none" => Kw::None,
        b"atleast" => Kw::AtLeast,
        b"for" => Kw::For,
        b"true" => Kw::True,
        b"false" => Kw::False,
        _ => return None,
    })
}

/// True for the characters of a BARE tag: Unicode letters and digits
/// (`char::is_alphanumeric`) and `_ - . : / @ + #`.
#[inline]
pub(crate) fn is_bare_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/' | '@' | '+' | '#')
    } else {
        c.is_alphanumeric()
    }
}

/// True when `s` lexes as one BARE tag (non-empty, bare characters only, not
/// a keyword).
pub(crate) fn is_bare_tag(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_bare_char) && keyword(s).is_none()
}

/// The white space allowed between tokens (Unicode `White_Space`).
#[inline]
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    LParen,
    RParen,
    Comma,
    /// `!`
    Bang,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    Kw(Kw),
    /// A run of bare characters that is no keyword: a tag, or the INT of
    /// `atleast`, or a DURATION, as the parser decides.
    Word(&'a str),
    /// A quoted tag, escapes resolved.
    Quoted(Cow<'a, str>),
    End,
}

/// A token and its byte range in the source.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    pub start: usize,
    pub end: usize,
}

/// A syntax error at a byte offset; the parser turns the offset into a line
/// and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub pos: usize,
}

/// `'c'`; `'c' (U+XXXX)` for other than ASCII; `U+XXXX` alone for a
/// character that would not print.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else if c.is_ascii() {
        format!("'{c}'")
    } else {
        format!("'{c}' (U+{:04X})", c as u32)
    }
}

/// Pulls tokens from a source text.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    #[inline]
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    /// The next token, or the error of the text at the current position.
    pub(crate) fn next_token(&mut self) -> Result<Token<'a>, SyntaxError> {
        // Skip white space.
        let rest = self.rest();
        let skipped = rest
            .char_indices()
            .find(|&(_, c)| !is_space(c))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += skipped;
        let start = self.pos;
        let rest = self.rest();
        let mut chars = rest.chars();
        let Some(c) = chars.next() else {
            return Ok(Token {
                tok: Tok::End,
                start,
                end: start,
            });
        };
        let single = |tok| Token {
            tok,
            start,
            end: start + 1,
        };
        let tok = match c {
            '(' => single(Tok::LParen),
            ')' => single(Tok::RParen),
            ',' => single(Tok::Comma),
            '!' => single(Tok::Bang),
            '&' | '|' => {
                if chars.next() == Some(c) {
                    Token {
                        tok: if c == '&' { Tok::AndAnd } else { Tok::OrOr },
                        start,
                        end: start + 2,
                    }
                } else {
                    return Err(SyntaxError {
                        message: format!("expected '{c}{c}' but found '{c}'"),
                        pos: start,
                    });
                }
            }
            '"' | '\'' => return self.quoted(c),
            c if is_bare_char(c) => {
                let len = rest
                    .char_indices()
                    .find(|&(_, c)| !is_bare_char(c))
                    .map_or(rest.len(), |(i, _)| i);
                let word = rest.get(..len).unwrap_or("");
                let tok = match keyword(word) {
                    Some(kw) => Tok::Kw(kw),
                    None => Tok::Word(word),
                };
                Token {
                    tok,
                    start,
                    end: start + len,
                }
            }
            other => {
                return Err(SyntaxError {
                    message: format!(
                        "expected a tag, an operator or a parenthesis but found {}",
                        describe_char(other)
                    ),
                    pos: start,
                })
            }
        };
        self.pos = tok.end;
        Ok(tok)
    }

    /// A quoted tag starting at the current position with `quote`. Inside
    /// `"…"` the escapes are `\"` and `\\`; inside `'…'`, `\'` and `\\`.
    fn quoted(&mut self, quote: char) -> Result<Token<'a>, SyntaxError> {
        let start = self.pos;
        let body = start + 1;
        let text = self.src.get(body..).unwrap_or("");
        let unterminated = || SyntaxError {
            message: format!("expected a closing {quote} but found end of rule"),
            pos: start,
        };
        let mut owned: Option<String> = None;
        let mut seg = 0usize; // start of the unescaped run, relative to `body`
        let mut it = text.char_indices();
        while let Some((i, c)) = it.next() {
            if c == quote {
                let tail = text.get(seg..i).unwrap_or("");
                let content = match owned {
                    Some(mut s) => {
                        s.push_str(tail);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(tail),
                };
                let end = body + i + 1;
                self.pos = end;
                return Ok(Token {
                    tok: Tok::Quoted(content),
                    start,
                    end,
                });
            }
            match c {
                '\n' => {
                    return Err(SyntaxError {
                        message: format!(
                            "expected a closing {quote} before the end of the line but found a line break"
                        ),
                        pos: start,
                    })
                }
                '\\' => match it.next() {
                    Some((_, e)) if e == quote || e == '\\' => {
                        let s = owned.get_or_insert_with(String::new);
                        s.push_str(text.get(seg..i).unwrap_or(""));
                        s.push(e);
                        seg = i + 1 + e.len_utf8();
                    }
                    Some((_, e)) => {
                        let found = if e.is_control() || e.is_whitespace() {
                            format!("'\\' followed by U+{:04X}", e as u32)
                        } else {
                            format!("'\\{e}'")
                        };
                        return Err(SyntaxError {
                            message: format!(
                                "expected '\\{quote}' or '\\\\' after a backslash but found {found}"
                            ),
                            pos: body + i,
                        });
                    }
                    None => return Err(unterminated()),
                },
                _ => {}
            }
        }
        Err(unterminated())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(src: &str) -> Result<Vec<Tok<'_>>, SyntaxError> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token()?;
            if t.tok == Tok::End {
                return Ok(out);
            }
            out.push(t.tok);
        }
    }

    #[test]
    fn tokens() {
        assert_eq!(
            all("a&&!B||(x,y) AND 'q\\'s' \"d\\\\\"").unwrap(),
            vec![
                Tok::Word("a"),
                Tok::AndAnd,
                Tok::Bang,
                Tok::Word("B"),
                Tok::OrOr,
                Tok::LParen,
                Tok::Word("x"),
                Tok::Comma,
                Tok::Word("y"),
                Tok::RParen,
                Tok::Kw(Kw::And),
                Tok::Quoted(Cow::Borrowed("q's")),
                Tok::Quoted(Cow::Borrowed("d\\")),
            ]
        );
    }

    #[test]
    fn keywords_ignore_case_only_as_whole_words() {
        assert_eq!(keyword("AtLeast"), Some(Kw::AtLeast));
        assert_eq!(keyword("FOR"), Some(Kw::For));
        assert_eq!(keyword("fork"), None);
        assert_eq!(keyword("\u{212A}ey"), None);
        assert!(is_bare_tag("course-a:level/2"));
        assert!(is_bare_tag("Café"));
        assert!(!is_bare_tag("for"));
        assert!(!is_bare_tag("a b"));
        assert!(!is_bare_tag(""));
    }

    #[test]
    fn quote_kinds_have_their_own_escapes() {
        assert!(all("'a\\\"b'").is_err());
        assert!(all("\"a\\'b\"").is_err());
        assert_eq!(all("\"it's\"").unwrap(), vec![Tok::Quoted("it's".into())]);
        let e = all("\"bad \\n escape\"").unwrap_err();
        assert_eq!(e.pos, 5);
        let e = all("x \"abc").unwrap_err();
        assert_eq!(e.pos, 2);
        let e = all("\"ab\ncd\"").unwrap_err();
        assert_eq!(e.pos, 0);
        assert!(all("\"abc\\").is_err());
    }
}
