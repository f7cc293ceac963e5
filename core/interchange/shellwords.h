#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace expectlab {

// One word quoted for a POSIX shell: bare when safe, otherwise in single quotes.
QString shellQuote(const QString &word);

// Splits a command line the way a POSIX shell would (single and double quotes, backslashes, line
// continuations, bash's $'...'), without expanding anything. A '|' outside quotes becomes its own
// word "|" so pipelines can be recognised. nullopt with a message on an unterminated quote.
std::optional<QStringList> splitShellWords(const QString &text, QString *error);

} // namespace expectlab
