//! Every `stella` command in any of the README's `sh` blocks, marked or
//! not, parses with the real command line: no illustrative example may name a
//! subcommand or flag that does not exist.
//!
//! A small shell reader, enough for the README: quotes, comments, `\`
//! continuations, `| || & && ; ( ) $( <(` as separators and redirections
//! (whose target is skipped). A word that holds `$` (a variable or a
//! command substitution) stands for a value and is replaced by a cursor,
//! which is also a valid path and name.

use clap::Parser;

/// What a `$…` word stands for when the command is parsed.
const PLACEHOLDER: &str = "2025-01-15T10:30:00.000Z#0042";

#[derive(Debug, PartialEq)]
enum Token {
    Word { text: String, dollar: bool },
    Separator,
    Redirect,
}

/// The tokens of one line of shell.
fn tokens(line: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let (mut text, mut dollar, mut started) = (String::new(), false, false);
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            match c {
                c if c == q => quote = None,
                c => {
                    dollar |= c == '$' && q == '"';
                    text.push(c);
                }
            }
            continue;
        }
        let op = match c {
            '\'' | '"' => {
                (quote, started) = (Some(c), true);
                continue;
            }
            '#' if !started => break,
            '$' if chars.peek() == Some(&'(') => Some(Token::Separator),
            '|' | '&' | ';' | '(' | ')' => Some(Token::Separator),
            '<' if chars.peek() == Some(&'(') => Some(Token::Separator),
            '<' | '>' => Some(Token::Redirect),
            c if c.is_whitespace() => None,
            c => {
                (dollar, started) = (dollar || c == '$', true);
                text.push(c);
                continue;
            }
        };
        if op == Some(Token::Redirect) && text.chars().all(|d| d.is_ascii_digit()) {
            text.clear(); // `2>`: the descriptor is not a word
            started = false;
        }
        if started {
            out.push(Token::Word {
                text: std::mem::take(&mut text),
                dollar: std::mem::take(&mut dollar),
            });
            started = false;
        }
        if let Some(op) = op {
            if matches!(c, '$' | '<') && op == Token::Separator {
                chars.next();
            }
            if !(op == Token::Redirect && out.last() == Some(&Token::Redirect)) {
                out.push(op);
            }
        }
    }
    if started {
        out.push(Token::Word { text, dollar });
    }
    out
}

/// The arguments of each `stella` command on a line (without `stella`).
fn stella_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut skip_next = false;
    for token in tokens(line) {
        match token {
            Token::Separator => commands.extend(current.take()),
            Token::Redirect => skip_next = true,
            Token::Word { .. } if std::mem::take(&mut skip_next) => {}
            Token::Word { text, dollar } => match current.as_mut() {
                Some(args) if dollar => args.push(PLACEHOLDER.to_owned()),
                Some(args) => args.push(text),
                None if text == "stella" => current = Some(Vec::new()),
                None => {}
            },
        }
    }
    commands.extend(current);
    commands
}

#[test]
fn the_reader_finds_commands_in_pipes_substitutions_and_cron_lines() {
    let line = r#"c=$(stella --home b sites x --json | sed -n 's/"a"/\1/p') # stella no"#;
    assert_eq!(
        stella_commands(line),
        [["--home", "b", "sites", "x", "--json"]]
    );
    let line = r#"*/15 * * * * stella import "$dir/x" 2>/dev/null > out; stella a"#;
    assert_eq!(
        stella_commands(line),
        [vec!["import", PLACEHOLDER], vec!["a"]]
    );
    assert_eq!(
        stella_commands("diff <(stella a) <(stella b) >> $PROFILE"),
        [["a"], ["b"]]
    );
}

#[test]
fn readme_commands_parse() {
    let mut commands = Vec::new();
    for (line, _, script) in super::sh_blocks(&super::readme()) {
        for text in script.replace("\\\n", " ").lines() {
            commands.extend(stella_commands(text).into_iter().map(|c| (line, c)));
        }
    }
    assert!(
        commands.len() > 50,
        "found only {} commands",
        commands.len()
    );
    let failures: Vec<String> = commands
        .iter()
        .filter_map(|(line, args)| {
            let argv = std::iter::once("stella").chain(args.iter().map(String::as_str));
            let err = stella::cli::Cli::try_parse_from(argv).err()?;
            Some(format!(
                "block at README.md line {line}: stella {}\n{err}",
                args.join(" ")
            ))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
