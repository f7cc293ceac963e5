#include "eventcsv.h"

#include <QCoreApplication>
#include <QSaveFile>

#include <algorithm>

namespace expectlab {

namespace {
QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}
} // namespace

QString eventsToCsv(const QList<TimelineEvent> &events, qint64 originNs)
{
    QString out = QStringLiteral("t_ms,side,conn,kind,status,bytes,detail,rule\r\n");
    for (const TimelineEvent &e : events) {
        const QStringList fields{
            QString::number(double((e.tNs - originNs) / 1000) / 1000.0, 'f', 3),
            sideName(e.side),
            QString::number(e.conn),
            kindName(e.kind),
            e.hasStatus() ? QString::number(e.status) : QString(),
            e.hasBytes() ? QString::number(e.bytes) : QString(),
            csvField(e.detail),
            csvField(e.rule),
        };
        out += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    return out;
}

QString sessionEventsToCsv(const Session &session)
{
    QList<TimelineEvent> all;
    for (const ExchangeSummary &s : session.exchanges)
        all += s.events;
    all += session.serverEvents;
    // Stable: events with equal times keep their recorded order (client before server).
    std::stable_sort(all.begin(), all.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    return eventsToCsv(all, session.earliestNs());
}

bool saveEventsCsv(const Session &session, const QString &path, QString *error)
{
    QSaveFile file(path);
    const QByteArray bytes = sessionEventsToCsv(session).toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QCoreApplication::translate("EventCsv", "cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace expectlab
