//! The part of each completion script clap cannot write: the positional
//! arguments in `ids::TARGETS` complete with the home's names, which the
//! script asks `stella __complete KIND` for (#27).
//!
//! Each hook finds the command path among the words typed so far (skipping
//! options and the values of those that take one, from the clap
//! definition), passes `--home`, `--config` and `--database-url` on so the
//! names come from the home being typed against, and otherwise hands over
//! to the generated completion unchanged.
//!
//! As clap parses: a flag takes no word; an option that takes a value (or
//! an optional one, such as `sites add --enabled`) takes the next word
//! unless it starts with `-`, and `--option=VALUE` is one word (bash, whose
//! `COMP_WORDBREAKS` holds `=`, hands it over as `--option`, `=`, `VALUE`). A word being typed as an option's value
//! (`sites policy --enabled <TAB>`) is the generated completion's, never
//! a name.

use clap::Command;

use super::ids::TARGETS;

/// The home-selecting options passed on to `__complete`.
const PASSED_ON: [&str; 3] = ["--home", "--config", "--database-url"];

/// `--long` names of every option in `cmd`'s tree that takes a value.
fn value_options(cmd: &Command) -> Vec<String> {
    let mut names: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.get_long().is_some() && a.get_action().takes_values())
        .map(|a| format!("--{}", a.get_long().unwrap_or_default()))
        .collect();
    for sub in cmd.get_subcommands() {
        names.extend(value_options(sub));
    }
    names.sort();
    names.dedup();
    names
}

/// `case` patterns (bash and zsh) from the command path to the kind.
fn cases() -> String {
    TARGETS
        .iter()
        .map(|(path, kind)| format!("        \"{path}\") kind={} ;;\n", kind.word()))
        .collect()
}

/// Sets `kind` and `pass` (bash/zsh arrays) from `words[1..cword]`.
fn kind_function(name: &str, cmd: &Command, first: usize) -> String {
    format!(
        r#"{name}() {{
    local i w path=""
    kind="" pass=()
    for (( i = {first}; i < cword; i++ )); do
        w="${{words[i]}}"
        case "$w" in
        {passed})
            if [[ "${{words[i+1]}}" == "=" ]]; then
                pass+=("$w=${{words[i+2]}}"); (( i += 2 ))
            else
                pass+=("$w" "${{words[i+1]}}"); (( i++ ))
            fi ;;
        {passed_eq}) pass+=("$w") ;;
        {values})
            if [[ "${{words[i+1]}}" == "=" ]]; then (( i += 2 ))
            elif [[ "${{words[i+1]}}" != -* ]]; then (( i++ )); fi ;;
        -*) ;;
        *) path="${{path:+$path }}$w" ;;
        esac
    done
    (( i > cword )) && return 0
    case "$path" in
{cases}    esac
}}
"#,
        passed = PASSED_ON.join("|"),
        passed_eq = PASSED_ON.map(|o| format!("{o}=*")).join("|"),
        values = value_options(cmd).join("|"),
        cases = cases(),
    )
}

pub fn bash(script: &str, cmd: &Command) -> String {
    let hook = format!(
        r#"
{kind}
_stella_with_names() {{
    local kind pass words=("${{COMP_WORDS[@]}}") cword=$COMP_CWORD
    local cur="${{COMP_WORDS[COMP_CWORD]}}"
    _stella_kind
    if [[ -n "$kind" && "$cur" != -* ]]; then
        COMPREPLY=( $(compgen -W "$(command stella "${{pass[@]}}" __complete "$kind" 2>/dev/null)" -- "$cur") )
        return 0
    fi
    _stella "$@"
}}

"#,
        kind = kind_function("_stella_kind", cmd, 1)
    );
    let script = script.replace("complete -F _stella ", "complete -F _stella_with_names ");
    match script.rfind("\nif [[ \"${BASH_VERSINFO[0]}\"") {
        Some(at) => format!("{}{hook}{}", &script[..at], &script[at..]),
        None => script + &hook,
    }
}

pub fn zsh(script: &str, cmd: &Command) -> String {
    let hook = format!(
        r#"
{kind}
_stella() {{
    local kind pass cword=$CURRENT
    _stella_kind
    if [[ -n "$kind" && "${{words[CURRENT]}}" != -* ]]; then
        compadd -- ${{(f)"$(command stella "${{pass[@]}}" __complete "$kind" 2>/dev/null)"}}
        return 0
    fi
    _stella_generated "$@"
}}

"#,
        kind = kind_function("_stella_kind", cmd, 2)
    );
    let script = script.replacen("\n_stella() {", "\n_stella_generated() {", 1);
    match script.find("if [ \"$funcstack[1]\" = \"_stella\" ]") {
        Some(at) => format!("{}{hook}{}", &script[..at], &script[at..]),
        None => script + &hook,
    }
}

pub fn fish(script: &str, cmd: &Command) -> String {
    let mut hook = String::from(
        "\n# Names from the home (stella __complete) for the arguments that take them.\n\
         function __fish_stella_kind\n    set -l words (commandline -opc)\n    set -l path\n    \
         set -l skip 0\n    for w in $words[2..-1]\n        \
         if test $skip = 1; and not string match -q -- '-*' $w\n            \
         set skip 0\n        else if contains -- $w ",
    );
    hook.push_str(&value_options(cmd).join(" "));
    hook.push_str(
        "\n            set skip 1\n        else if not string match -q -- '-*' $w\n            \
         set -a path $w\n        else\n            set skip 0\n        end\n    end\n    \
         test $skip = 1; and return 1\n    switch \"$path\"\n",
    );
    for (path, kind) in TARGETS {
        hook.push_str(&format!(
            "        case '{path}'\n            echo {}\n",
            kind.word()
        ));
    }
    hook.push_str(
        "        case '*'\n            return 1\n    end\nend\n\nfunction __fish_stella_names\n    \
         set -l words (commandline -opc)\n    set -l pass\n    for i in (seq 2 (count $words))\n        \
         if contains -- $words[$i] ",
    );
    hook.push_str(&PASSED_ON.join(" "));
    hook.push_str(
        "\n            set -a pass $words[$i] $words[(math $i + 1)]\n        \
         else if string match -q -r -- '^(",
    );
    hook.push_str(&PASSED_ON.join("|"));
    hook.push_str(
        ")=' $words[$i]\n            set -a pass $words[$i]\n        end\n    end\n    \
         command stella $pass __complete (__fish_stella_kind) 2>/dev/null\nend\n\n\
         complete -c stella -f -n __fish_stella_kind -a '(__fish_stella_names)'\n",
    );
    format!("{script}{hook}")
}
