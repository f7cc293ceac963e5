// Shell words: quoting one word for a POSIX shell, and splitting a pasted command line the way
// the shell would, without expanding anything.
#include "shellwords.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CurlCommand", text);
}
} // namespace

QString shellQuote(const QString &word)
{
    if (word.isEmpty())
        return QStringLiteral("''");
    bool safe = true;
    for (QChar c : word) {
        const ushort u = c.unicode();
        const bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                           QStringView(u"-_./:@%+=,").contains(c);
        if (!plain) {
            safe = false;
            break;
        }
    }
    if (safe)
        return word;
    QString quoted = word;
    quoted.replace(QLatin1String("'"), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

std::optional<QStringList> splitShellWords(const QString &text, QString *error)
{
    QStringList words;
    QString word;
    bool inWord = false;
    auto endWord = [&] {
        if (inWord)
            words << word;
        word.clear();
        inWord = false;
    };
    auto fail = [error](const QString &message) -> std::optional<QStringList> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\\')) {
            if (i + 1 < n && text.at(i + 1) == QLatin1Char('\r') && i + 2 < n && text.at(i + 2) == QLatin1Char('\n')) {
                i += 2; // a line continuation written on Windows
                continue;
            }
            if (i + 1 < n && text.at(i + 1) == QLatin1Char('\n')) {
                ++i; // line continuation
                continue;
            }
            if (i + 1 < n) {
                word += text.at(++i);
                inWord = true;
            }
            continue;
        }
        if (c == QLatin1Char('\'')) {
            const qsizetype close = text.indexOf(QLatin1Char('\''), i + 1);
            if (close < 0)
                return fail(tr("unterminated single quote"));
            word += text.mid(i + 1, close - i - 1);
            inWord = true;
            i = close;
            continue;
        }
        if (c == QLatin1Char('"')) {
            qsizetype j = i + 1;
            for (; j < n && text.at(j) != QLatin1Char('"'); ++j) {
                if (text.at(j) == QLatin1Char('\\') && j + 1 < n) {
                    const QChar next = text.at(j + 1);
                    if (next == QLatin1Char('\n')) {
                        ++j;
                        continue;
                    }
                    if (QStringView(u"$`\"\\").contains(next)) {
                        word += next;
                        ++j;
                        continue;
                    }
                }
                word += text.at(j);
            }
            if (j >= n)
                return fail(tr("unterminated double quote"));
            inWord = true;
            i = j;
            continue;
        }
        if (c == QLatin1Char('$') && i + 1 < n && text.at(i + 1) == QLatin1Char('\'')) {
            // bash's ANSI-C quoting, which DevTools' "Copy as cURL (bash)" writes.
            qsizetype j = i + 2;
            QByteArray bytes; // \xHH and octal escapes are bytes, the rest is text
            auto flush = [&] {
                word += QString::fromUtf8(bytes);
                bytes.clear();
            };
            for (; j < n && text.at(j) != QLatin1Char('\''); ++j) {
                const QChar ch = text.at(j);
                if (ch != QLatin1Char('\\') || j + 1 >= n) {
                    flush();
                    word += ch;
                    continue;
                }
                const QChar e = text.at(++j);
                auto hexRun = [&](int maxDigits) {
                    uint v = 0;
                    int k = 0;
                    for (; k < maxDigits && j + 1 < n && isxdigit(text.at(j + 1).toLatin1()); ++k)
                        v = v * 16 + uint(QString(text.at(++j)).toUInt(nullptr, 16));
                    return k == 0 ? std::optional<uint>() : std::optional<uint>(v);
                };
                switch (e.toLatin1()) {
                case 'n':
                    flush();
                    word += QLatin1Char('\n');
                    break;
                case 't':
                    flush();
                    word += QLatin1Char('\t');
                    break;
                case 'r':
                    flush();
                    word += QLatin1Char('\r');
                    break;
                case 'a':
                    flush();
                    word += QChar(7);
                    break;
                case 'b':
                    flush();
                    word += QChar(8);
                    break;
                case 'e':
                case 'E':
                    flush();
                    word += QChar(27);
                    break;
                case 'f':
                    flush();
                    word += QChar(12);
                    break;
                case 'v':
                    flush();
                    word += QChar(11);
                    break;
                case '\\':
                    flush();
                    word += QLatin1Char('\\');
                    break;
                case '\'':
                    flush();
                    word += QLatin1Char('\'');
                    break;
                case '"':
                    flush();
                    word += QLatin1Char('"');
                    break;
                case '?':
                    flush();
                    word += QLatin1Char('?');
                    break;
                case 'x': {
                    if (const auto v = hexRun(2))
                        bytes += char(*v);
                    else {
                        flush();
                        word += QStringLiteral("\\x");
                    }
                    break;
                }
                case 'u':
                case 'U': {
                    flush();
                    if (const auto v = hexRun(e == QLatin1Char('u') ? 4 : 8))
                        word += QString::fromUcs4(reinterpret_cast<const char32_t *>(&*v), 1);
                    break;
                }
                default:
                    if (e >= QLatin1Char('0') && e <= QLatin1Char('7')) {
                        uint v = uint(e.toLatin1() - '0');
                        for (int k = 0; k < 2 && j + 1 < n && text.at(j + 1) >= QLatin1Char('0') &&
                                        text.at(j + 1) <= QLatin1Char('7');
                             ++k)
                            v = v * 8 + uint(text.at(++j).toLatin1() - '0');
                        bytes += char(v & 0xff);
                    } else {
                        flush();
                        word += QLatin1Char('\\');
                        word += e;
                    }
                }
            }
            flush();
            if (j >= n)
                return fail(tr("unterminated $'...' quote"));
            inWord = true;
            i = j;
            continue;
        }
        if (c == QLatin1Char('#') && !inWord) {
            const qsizetype eol = text.indexOf(QLatin1Char('\n'), i);
            if (eol < 0)
                break;
            i = eol;
            continue;
        }
        if (c == QLatin1Char('|')) {
            endWord();
            words << QStringLiteral("|");
            continue;
        }
        if (c.isSpace()) {
            endWord();
            continue;
        }
        word += c;
        inWord = true;
    }
    endWord();
    return words;
}

} // namespace expectlab
