#include "commands.h"

#include "cliutil.h"
#include "proxymode.h"
#include "serverpolicy.h"

#include <QCoreApplication>

QString globalHelpText()
{
    return QCoreApplication::translate(
               "cli",
               "Usage: expectlab [COMMAND] [OPTIONS]\n"
               "A workbench for the HTTP Expect: 100-continue handshake and 417 Expectation Failed.\n"
               "\n"
               "Without a command, opens the workbench window.\n"
               "\n"
               "Commands:\n"
               "  serve [--host H] [--port P] [--policy POLICY] [--events] [--max-head BYTES] [--max-body BYTES]\n"
               "        [--head-timeout MS] [--idle-timeout MS] [--max-connections N] [--tls [--cert FILE --key "
               "FILE]]\n"
               "        Run the test server; prints 'listening http://HOST:PORT/' (https:// with --tls) first.\n"
               "        POLICY: %1.\n"
               "        Misbehaviours for testing clients:\n"
               "        %2.\n"
               "  send URL [-X METHOD] [-H 'Name: value']... [--data TEXT | --data-file PATH | --data-size N]\n"
               "       [--expect | --no-expect | --expect-value VALUE] [--expect-timeout MS] [--no-retry]\n"
               "       [--chunked] [--timeout MS] [--json] [-k | --insecure] [--cacert FILE]\n"
               "        Send one request (http:// or https://) and show its handshake as a timeline.\n"
               "  serve --save FILE, send --save FILE\n"
               "        Also write a session file (.expectlab.json) the workbench opens: serve on stop, send at the "
               "end.\n"
               "  probe URL [--json] [--junit FILE] [--timeout MS]\n"
               "        Probe a server's Expect handling scenario by scenario (pass/warn/fail/info, rule ids).\n"
               "  matrix [--clients LIST] [--policies LIST | --url URL] [--sizes LIST] [--json] [--save FILE]\n"
               "        Run every client behaviour x server policy x body size; see 'expectlab matrix --help'.\n"
               "  proxy --upstream URL | --forward [--host H] [--port P] [--mode MODE] [--events] [--save FILE]\n"
               "        [--insecure | --cacert FILE] [--keep-host] [--allow-remote]\n"
               "        Run the recording proxy; prints 'listening http://HOST:PORT/' first. MODE: %3.\n"
               "\n"
               "Options:\n"
               "  -h, --help     Show this help; 'expectlab COMMAND --help' shows a command's options.\n"
               "  -v, --version  Show the version.\n"
               "\n"
               "Exit codes: 0 a final response was received (send) or clean stop (serve, proxy);\n"
               "            1 no final response (refused, reset, closed, timed out) or the server (proxy) could\n"
               "              not start;\n"
               "            2 usage error (bad URL, unknown flag, bad policy, unreadable file).\n")
        .arg(wrapList(expectlab::ServerPolicy::names(false), 16), wrapList(expectlab::ServerPolicy::names(true), 8),
             wrapList(expectlab::proxyModeNames(), 8));
}
