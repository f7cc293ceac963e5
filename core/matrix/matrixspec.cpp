#include "matrixspec.h"

#include "streamfactory.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("MatrixSpec", text);
}

double toMs(qint64 ns)
{
    return double(ns / 1000) / 1000.0;
}
} // namespace

std::optional<ClientBehaviour> ClientBehaviour::parse(const QString &text, QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<ClientBehaviour> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QStringList parts = text.trimmed().toLower().split(QLatin1Char(':'));
    ClientBehaviour b;
    if (parts.first() == QLatin1String("no-expect")) {
        if (parts.size() > 1)
            return fail(tr("'no-expect' takes no options: '%1'").arg(text));
        b.expect = false;
        return b;
    }
    if (parts.first() != QLatin1String("expect"))
        return fail(tr("unknown client behaviour '%1': use no-expect or expect[:MS][:no-retry]").arg(text));
    bool sawTimeout = false;
    bool sawRetry = false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QString &p = parts.at(i);
        bool ok = false;
        const int ms = p.toInt(&ok);
        if (ok && !sawTimeout && ms >= 0 && ms <= 600000) {
            b.expectTimeoutMs = ms;
            sawTimeout = true;
        } else if ((p == QLatin1String("no-retry") || p == QLatin1String("retry")) && !sawRetry) {
            b.retry = p == QLatin1String("retry");
            sawRetry = true;
        } else {
            return fail(tr("invalid option '%1' in client behaviour '%2': expected a wait in ms (0 to 600000) "
                           "or no-retry")
                            .arg(p, text));
        }
    }
    return b;
}

QString ClientBehaviour::toString() const
{
    if (!expect)
        return QStringLiteral("no-expect");
    QString s = QStringLiteral("expect");
    if (expectTimeoutMs != 1000)
        s += QStringLiteral(":%1").arg(expectTimeoutMs);
    if (!retry)
        s += QStringLiteral(":no-retry");
    return s;
}

QString ClientBehaviour::describe() const
{
    if (!expect)
        return tr("no Expect: the body follows the head at once");
    return tr("Expect: 100-continue, wait up to %1 ms for a 100 (R5), %2 after a 417 (R6)")
        .arg(expectTimeoutMs)
        .arg(retry ? tr("retry without Expect") : tr("give up"));
}

void ClientBehaviour::applyTo(ClientRequest *request) const
{
    request->expect = expect ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::Off;
    request->expectTimeoutMs = expectTimeoutMs;
    request->retryWithoutExpect = retry;
}

QString MatrixSpec::validate() const
{
    if (clients.isEmpty())
        return tr("no client behaviours to run");
    if (!isExternal() && policies.isEmpty())
        return tr("no server policies to run");
    if (sizes.isEmpty())
        return tr("no body sizes to run");
    for (qint64 s : sizes) {
        if (s < 0)
            return tr("body sizes must not be negative");
    }
    if (isExternal()) {
        if (!url.isValid() || url.host().isEmpty() || !isSupportedScheme(url))
            return tr("invalid URL '%1': expected http[s]://HOST[:PORT]/PATH").arg(url.toString());
    }
    if (timeoutMs <= 0)
        return tr("the exchange timeout must be positive");
    if (localTls && isExternal())
        return tr("HTTPS for the local server does not apply to an external URL: its scheme says how to connect");
    if (localTls && (localTls->isNull() || localTls->certFile.isEmpty()))
        return tr("the local server's HTTPS identity needs a certificate file for the client to trust");
    return {};
}

std::optional<QList<ClientBehaviour>> MatrixSpec::parseClients(const QString &text, QString *error)
{
    QList<ClientBehaviour> out;
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto b = ClientBehaviour::parse(item, error);
        if (!b)
            return std::nullopt;
        out.append(*b);
    }
    if (out.isEmpty()) {
        if (error)
            *error = tr("no client behaviours given");
        return std::nullopt;
    }
    return out;
}

std::optional<QList<ServerPolicy>> MatrixSpec::parsePolicies(const QString &text, QString *error)
{
    QList<ServerPolicy> out;
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto p = ServerPolicy::parse(item, error);
        if (!p)
            return std::nullopt;
        out.append(*p);
    }
    if (out.isEmpty()) {
        if (error)
            *error = tr("no server policies given");
        return std::nullopt;
    }
    return out;
}

QString MatrixCell::outcome() const
{
    if (summary.cancelled)
        return QStringLiteral("cancelled");
    if (!summary.finalStatus)
        return QStringLiteral("no response");
    if (summary.retried)
        return QStringLiteral("417 > %1").arg(*summary.finalStatus);
    return QString::number(*summary.finalStatus);
}

const MatrixCell *MatrixResult::cell(int client, int policy, int size) const
{
    for (const MatrixCell &c : cells) {
        if (c.clientIndex == client && c.policyIndex == policy && c.sizeIndex == size)
            return &c;
    }
    return nullptr;
}

void MatrixResult::computeSavings()
{
    for (MatrixCell &c : cells) {
        c.savedVsNoExpect.reset();
        for (qsizetype k = 0; k < spec.clients.size(); ++k) {
            if (spec.clients.at(k).expect)
                continue;
            if (const MatrixCell *base = cell(int(k), c.policyIndex, c.sizeIndex)) {
                if (!base->summary.cancelled && !c.summary.cancelled)
                    c.savedVsNoExpect = base->bodyBytesSent - c.bodyBytesSent;
                break;
            }
        }
    }
}

QJsonObject matrixResultToJson(const MatrixResult &r)
{
    QJsonArray clients;
    for (const ClientBehaviour &b : r.spec.clients) {
        clients.append(QJsonObject{{QStringLiteral("name"), b.toString()},
                                   {QStringLiteral("expect"), b.expect},
                                   {QStringLiteral("expect_timeout_ms"), b.expectTimeoutMs},
                                   {QStringLiteral("retry"), b.retry}});
    }
    QJsonArray policies;
    if (!r.spec.isExternal()) {
        for (const ServerPolicy &p : r.spec.policies)
            policies.append(p.toString());
    }
    QJsonArray sizes;
    for (qint64 s : r.spec.sizes)
        sizes.append(s);
    QJsonArray cells;
    for (const MatrixCell &c : r.cells) {
        const ExchangeSummary &s = c.summary;
        QJsonArray interims;
        for (int st : s.interimStatuses())
            interims.append(st);
        cells.append(QJsonObject{
            {QStringLiteral("client"), c.client.toString()},
            {QStringLiteral("policy"), c.policy ? QJsonValue(c.policy->toString()) : QJsonValue()},
            {QStringLiteral("size"), c.size},
            {QStringLiteral("client_index"), c.clientIndex},
            {QStringLiteral("policy_index"), c.policyIndex},
            {QStringLiteral("size_index"), c.sizeIndex},
            {QStringLiteral("outcome"), c.outcome()},
            {QStringLiteral("final_status"), s.finalStatus ? QJsonValue(*s.finalStatus) : QJsonValue()},
            {QStringLiteral("interim_statuses"), interims},
            {QStringLiteral("expect_sent"), s.expectSent},
            {QStringLiteral("retried"), s.retried},
            {QStringLiteral("expect_wait_ms"), c.expectWaitNs ? QJsonValue(toMs(*c.expectWaitNs)) : QJsonValue()},
            {QStringLiteral("body_bytes_sent"), c.bodyBytesSent},
            {QStringLiteral("body_bytes_before_final"), c.bodyBytesBeforeFinal},
            {QStringLiteral("bytes_saved"), s.bytesSaved},
            {QStringLiteral("saved_vs_no_expect"), c.savedVsNoExpect ? QJsonValue(*c.savedVsNoExpect) : QJsonValue()},
            {QStringLiteral("total_ms"), toMs(c.totalNs)},
            {QStringLiteral("error"), s.error.isEmpty() ? QJsonValue() : QJsonValue(s.error)},
        });
    }
    return QJsonObject{
        {QStringLiteral("format"), QStringLiteral("expectlab-matrix")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("target"), r.spec.isExternal() ? r.spec.url.toString() : QStringLiteral("local")},
        {QStringLiteral("method"), QString::fromLatin1(r.spec.method)},
        {QStringLiteral("clients"), clients},
        {QStringLiteral("policies"), policies},
        {QStringLiteral("sizes"), sizes},
        {QStringLiteral("total"), r.spec.cellCount()},
        {QStringLiteral("completed"), int(r.cells.size())},
        {QStringLiteral("cancelled"), r.cancelled},
        {QStringLiteral("cells"), cells},
    };
}

QString matrixResultToText(const MatrixResult &r)
{
    QString out = QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                      .arg(QStringLiteral("client"), -20)
                      .arg(QStringLiteral("policy"), -12)
                      .arg(QStringLiteral("size"), 10)
                      .arg(QStringLiteral("outcome"), -10)
                      .arg(QStringLiteral("wait ms"), 9)
                      .arg(QStringLiteral("body sent"), 10)
                      .arg(QStringLiteral("saved"), 10)
                      .arg(QStringLiteral("total ms"), 9);
    for (const MatrixCell &c : r.cells) {
        out += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                   .arg(c.client.toString(), -20)
                   .arg(c.policy ? c.policy->toString() : QStringLiteral("external"), -12)
                   .arg(c.size, 10)
                   .arg(c.outcome(), -10)
                   .arg(c.expectWaitNs ? QString::number(toMs(*c.expectWaitNs), 'f', 1) : QStringLiteral("-"), 9)
                   .arg(c.bodyBytesSent, 10)
                   .arg(c.savedVsNoExpect ? QString::number(*c.savedVsNoExpect) : QStringLiteral("-"), 10)
                   .arg(QString::number(toMs(c.totalNs), 'f', 1), 9);
        if (!c.summary.error.isEmpty() && !c.summary.finalStatus)
            out += QStringLiteral("    %1\n").arg(c.summary.error);
    }
    if (r.cancelled)
        out += QStringLiteral("-- cancelled after %1 of %2 cells\n").arg(r.cells.size()).arg(r.spec.cellCount());
    return out;
}

} // namespace expectlab
