#include "cliutil.h"

#include <QRegularExpression>

#include <cstdio>

void printOut(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printErr(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

int usageError(const QString &message, const QString &hint)
{
    printErr(QStringLiteral("expectlab: %1\n").arg(message));
    if (!hint.isEmpty())
        printErr(hint + QLatin1Char('\n'));
    return ExitUsage;
}

bool parseByteSize(const QString &text, qint64 *bytes)
{
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d+)\\s*([kKmMgGtT]?)(i?[bB])?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    bool ok = false;
    qint64 n = m.captured(1).toLongLong(&ok);
    if (!ok)
        return false;
    const QString unit = m.captured(2).toUpper();
    int shift = 0;
    if (unit == QLatin1String("K"))
        shift = 10;
    else if (unit == QLatin1String("M"))
        shift = 20;
    else if (unit == QLatin1String("G"))
        shift = 30;
    else if (unit == QLatin1String("T"))
        shift = 40;
    if (shift > 0 && n > (std::numeric_limits<qint64>::max() >> shift))
        return false;
    *bytes = n << shift;
    return true;
}
