//! path-to-regexp 6's lexer, reproduced token for token.
//!
//! Positions are counted in UTF-16 code units, as JavaScript counts them, so error messages name the
//! same index as Clerk's.

/// One lexical token of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// `*`, `+` or `?`.
    Modifier(char),
    /// `\x`; `None` for a trailing lone backslash (path-to-regexp silently drops it).
    Escaped(Option<char>),
    /// `{`
    Open,
    /// `}`
    Close,
    /// `:name`
    Name(String),
    /// `(regex)`, without the outer parentheses.
    Pattern(String),
    /// Any other character.
    Char(char),
    /// End of input.
    End,
}

/// A token with its UTF-16 position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lexed {
    pub token: Token,
    pub index: usize,
}

/// Splits `pattern` into tokens, or fails with path-to-regexp's message.
pub(crate) fn lex(pattern: &str) -> Result<Vec<Lexed>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    // UTF-16 offset of every char index (plus one past the end).
    let mut offsets = Vec::with_capacity(chars.len() + 1);
    let mut unit = 0;
    for c in &chars {
        offsets.push(unit);
        unit += c.len_utf16();
    }
    offsets.push(unit);

    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let index = offsets[i];
        let c = chars[i];
        let token = match c {
            '*' | '+' | '?' => {
                i += 1;
                Token::Modifier(c)
            }
            '\\' => {
                i += 2;
                Token::Escaped(chars.get(i - 1).copied())
            }
            '{' => {
                i += 1;
                Token::Open
            }
            '}' => {
                i += 1;
                Token::Close
            }
            ':' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                {
                    end += 1;
                }
                if end == start {
                    return Err(format!("Missing parameter name at {index}"));
                }
                i = end;
                Token::Name(chars[start..end].iter().collect())
            }
            '(' => {
                let (body, next) = lex_group(&chars, &offsets, i)?;
                i = next;
                Token::Pattern(body)
            }
            _ => {
                i += 1;
                Token::Char(c)
            }
        };
        tokens.push(Lexed { token, index });
    }
    // A trailing `\\` moves JavaScript's cursor one past the end, and the END token records that.
    let end = offsets[chars.len()] + (i - chars.len());
    tokens.push(Lexed {
        token: Token::End,
        index: end,
    });
    Ok(tokens)
}

/// Reads a `(regex)` group starting at `open`; returns its body and the index after `)`.
fn lex_group(chars: &[char], offsets: &[usize], open: usize) -> Result<(String, usize), String> {
    let mut depth = 1;
    let mut body = String::new();
    let mut j = open + 1;
    if chars.get(j) == Some(&'?') {
        return Err(format!("Pattern cannot start with \"?\" at {}", offsets[j]));
    }
    while j < chars.len() {
        match chars[j] {
            '\\' => {
                body.push('\\');
                match chars.get(j + 1) {
                    Some(&next) => body.push(next),
                    // JavaScript appends the string "undefined" here; the group is then
                    // necessarily unbalanced, so the only visible effect is the error below.
                    None => body.push_str("undefined"),
                }
                j += 2;
                continue;
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    j += 1;
                    break;
                }
            }
            '(' => {
                depth += 1;
                if chars.get(j + 1) != Some(&'?') {
                    return Err(format!(
                        "Capturing groups are not allowed at {}",
                        offsets[j]
                    ));
                }
            }
            _ => {}
        }
        body.push(chars[j]);
        j += 1;
    }
    if depth != 0 {
        return Err(format!("Unbalanced pattern at {}", offsets[open]));
    }
    if body.is_empty() {
        return Err(format!("Missing pattern at {}", offsets[open]));
    }
    Ok((body, j.min(chars.len())))
}
