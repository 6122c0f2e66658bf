import type { Shell } from './commands.js';
import { DIRECTIVE } from './complete.js';

// The scripts `dd-mutate completion <shell>` prints. Each only hands the words
// to `dd-mutate __complete` and shows its answer, so what is completed is
// decided in one place (complete.ts) for every shell and for kubectl.

/** The completion script for `shell`. */
export function completionScript(shell: Shell): string {
  if (shell === 'bash') return BASH;
  if (shell === 'zsh') return ZSH;
  return FISH;
}

const { noSpace, noFileComp } = DIRECTIVE;

const BASH = `# bash completion for dd-mutate. Load it with: source <(dd-mutate completion bash)
_dd_mutate() {
    # The words up to the cursor, split on blanks only (COMP_WORDS also splits at = and :).
    local line=\${COMP_LINE:0:COMP_POINT}
    local -a words
    read -r -a words <<< "$line"
    [[ $line == *[[:space:]] ]] && words+=("")
    local out
    out=$("\${words[0]}" __completeNoDesc "\${words[@]:1}" 2>/dev/null) || return
    local directive=\${out##*:}
    local -a candidates=()
    [[ $out == *$'\\n'* ]] && mapfile -t candidates <<< "\${out%$'\\n'*}"
    # Readline replaces only the text after the word's last = or :, so that part is dropped.
    local word=\${COMP_WORDS[COMP_CWORD]}
    [[ $word == [=:] ]] && word=
    local keep=\${words[-1]%"$word"}
    (( directive & ${noSpace} )) && compopt -o nospace
    (( directive & ${noFileComp} )) && compopt +o default
    COMPREPLY=("\${candidates[@]#"$keep"}")
}
complete -o default -F _dd_mutate dd-mutate
`;

const ZSH = `#compdef dd-mutate
# zsh completion for dd-mutate. Load it with: source <(dd-mutate completion zsh)  (after compinit)
_dd_mutate() {
    local out directive prefix
    local -a lines described opts
    out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]#:}
    # A value typed as --flag=value: the candidates are values, the flag stays in front.
    [[ \${words[CURRENT]} == -*=* ]] && prefix="\${words[CURRENT]%%=*}="
    local line
    for line in "\${(@)lines[1,-2]}"; do
        # _describe reads value:description; a colon in the value is escaped.
        if [[ $line == *$'\\t'* ]]; then
            described+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
        else
            described+=("\${line//:/\\\\:}")
        fi
    done
    if (( \${#described} )); then
        (( directive & ${noSpace} )) && opts+=(-S '')
        [[ -n $prefix ]] && opts+=(-P "$prefix")
        _describe -t values dd-mutate described "\${opts[@]}"
    elif (( ! (directive & ${noFileComp}) )); then
        _files
    fi
}
compdef _dd_mutate dd-mutate
`;

const FISH = `# fish completion for dd-mutate. Load it with: dd-mutate completion fish | source
function __dd_mutate_complete
    set -l current (commandline -ct)
    set -l words (commandline -opc) $current
    set -l out (command $words[1] __complete $words[2..-1] 2>/dev/null); or return
    set -l directive (string replace ':' '' -- $out[-1])
    set -e out[-1]
    if test (count $out) -eq 0
        test (math "bitand($directive, ${noFileComp})") -eq 0; and __fish_complete_path $current
        return
    end
    # A value typed as --flag=value: the candidates are values, the flag stays in front.
    set -l prefix (string replace -r -- '^(-[^=]*=)?.*$' '$1' $current)
    for candidate in $out
        echo $prefix$candidate
    end
end
complete -c dd-mutate -e
complete -c dd-mutate -f -a '(__dd_mutate_complete)'
`;
