#include "clientprofile.h"

#include <QCoreApplication>
#include <QStringList>

#include <array>
#include <utility>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ClientProfile", text);
}

QString msText(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 1);
}

constexpr std::array<std::pair<ClientProfile::Wait, const char *>, 6> kWaits{{
    {ClientProfile::Wait::NoBody, "no-body"},
    {ClientProfile::Wait::None, "none"},
    {ClientProfile::Wait::Bounded, "bounded"},
    {ClientProfile::Wait::UntilContinue, "until-100"},
    {ClientProfile::Wait::UntilFinal, "until-final"},
    {ClientProfile::Wait::UntilClose, "until-close"},
}};

constexpr std::array<std::pair<ClientProfile::AfterEarlyFinal, const char *>, 5> kAfter{{
    {ClientProfile::AfterEarlyFinal::NotApplicable, ""},
    {ClientProfile::AfterEarlyFinal::StoppedAndClosed, "stopped-closed"},
    {ClientProfile::AfterEarlyFinal::KeptSending, "kept-sending"},
    {ClientProfile::AfterEarlyFinal::Reused, "reused"},
    {ClientProfile::AfterEarlyFinal::StillOpen, "still-open"},
}};

template <typename Table, typename Value> QString nameOf(const Table &table, Value v)
{
    for (const auto &[value, name] : table) {
        if (value == v)
            return QString::fromLatin1(name);
    }
    return {};
}

template <typename Table, typename Value> bool valueOf(const Table &table, const QString &name, Value *v)
{
    for (const auto &[value, n] : table) {
        if (name == QLatin1String(n)) {
            *v = value;
            return true;
        }
    }
    return false;
}
} // namespace

QString ClientProfile::waitName() const
{
    return nameOf(kWaits, wait);
}

QString ClientProfile::afterEarlyFinalName() const
{
    return nameOf(kAfter, afterEarlyFinal);
}

QString ClientProfile::toDetail() const
{
    QStringList kv;
    auto add = [&kv](const char *key, const QString &value) {
        kv << QStringLiteral("%1=%2").arg(QLatin1String(key), value);
    };
    add("request", QString::number(request));
    add("method", method);
    add("target", target);
    if (http10)
        add("version", QStringLiteral("1.0"));
    add("expect", expect.isEmpty() ? QStringLiteral("none") : expect);
    add("content_length", chunked              ? QStringLiteral("chunked")
                          : contentLength >= 0 ? QString::number(contentLength)
                                               : QStringLiteral("none"));
    if (expectWithoutContent)
        add("expect_without_content", QStringLiteral("yes"));
    add("wait", waitName());
    if (waitNs >= 0)
        add("wait_ms", msText(waitNs));
    if (sentAnyway)
        add("sent_anyway", QStringLiteral("yes"));
    if (interimStatus)
        add("interim", QString::number(interimStatus));
    add("final", garbage       ? QStringLiteral("garbage")
                 : finalStatus ? QString::number(finalStatus)
                               : QStringLiteral("none"));
    if (earlyFinal) {
        add("early_final", afterEarlyFinalName());
        if (bytesBeforeFinal > 0)
            add("bytes_before_final", QString::number(bytesBeforeFinal));
        if (bytesAfterFinal > 0)
            add("bytes_after_final", QString::number(bytesAfterFinal));
        if (closeAfterFinalNs >= 0)
            add("closed_after_ms", msText(closeAfterFinalNs));
    }
    if (closedBy != Closer::Unknown)
        add("closed_by", closedBy == Closer::Local ? QStringLiteral("server") : QStringLiteral("client"));
    if (retryOfConn) {
        add("retry", retrySameConnection ? QStringLiteral("same-connection") : QStringLiteral("new-connection"));
        add("retry_of", QString::number(retryOfConn));
        add("retry_after_ms", msText(retryAfterNs));
    }
    if (gaveUp)
        add("gave_up", QStringLiteral("yes"));
    return kv.join(QStringLiteral("; "));
}

QString ClientProfile::behaviourText() const
{
    QStringList parts;
    if (expect.isEmpty()) {
        parts << tr("no Expect");
    } else {
        switch (wait) {
        case Wait::UntilContinue: parts << tr("waits for 100"); break;
        case Wait::None: parts << tr("Expect, body at once (R4)"); break;
        case Wait::Bounded: parts << tr("body after %1 ms without 100 (R5)").arg(msText(waitNs)); break;
        case Wait::UntilFinal: parts << tr("waited, got a final status"); break;
        case Wait::UntilClose: parts << tr("waited %1 ms until the close").arg(msText(waitNs)); break;
        case Wait::NoBody: parts << tr("Expect, no body"); break;
        }
    }
    if (expectWithoutContent)
        parts << tr("Expect without content (breaks R2)");
    if (afterEarlyFinal == AfterEarlyFinal::StoppedAndClosed)
        parts << tr("stopped after early final (R21)");
    else if (afterEarlyFinal == AfterEarlyFinal::KeptSending)
        parts << tr("kept sending after early final");
    if (retryOfConn)
        parts << tr("retried after 417 (R6)");
    if (gaveUp)
        parts << tr("gave up");
    return parts.join(QStringLiteral("; "));
}

QJsonObject clientProfileToJson(const ClientProfile &p)
{
    return QJsonObject{
        {QStringLiteral("conn"), p.conn},
        {QStringLiteral("request"), p.request},
        {QStringLiteral("method"), p.method},
        {QStringLiteral("target"), p.target},
        {QStringLiteral("http10"), p.http10},
        {QStringLiteral("expect"), p.expect},
        {QStringLiteral("content_length"), p.contentLength},
        {QStringLiteral("chunked"), p.chunked},
        {QStringLiteral("expect_without_content"), p.expectWithoutContent},
        {QStringLiteral("wait"), p.waitName()},
        {QStringLiteral("wait_ns"), p.waitNs},
        {QStringLiteral("sent_anyway"), p.sentAnyway},
        {QStringLiteral("interim"), p.interimStatus},
        {QStringLiteral("final"), p.finalStatus},
        {QStringLiteral("garbage"), p.garbage},
        {QStringLiteral("early_final"), p.earlyFinal},
        {QStringLiteral("after_early_final"), p.afterEarlyFinalName()},
        {QStringLiteral("bytes_before_final"), p.bytesBeforeFinal},
        {QStringLiteral("bytes_after_final"), p.bytesAfterFinal},
        {QStringLiteral("close_after_final_ns"), p.closeAfterFinalNs},
        {QStringLiteral("closed_by"), closerName(p.closedBy)},
        {QStringLiteral("retry_of"), p.retryOfConn},
        {QStringLiteral("retry_same_connection"), p.retrySameConnection},
        {QStringLiteral("retry_after_ns"), p.retryAfterNs},
        {QStringLiteral("gave_up"), p.gaveUp},
    };
}

std::optional<ClientProfile> clientProfileFromJson(const QJsonObject &o, QString *error)
{
    ClientProfile p;
    auto integer = [&o](const char *key, qint64 fallback) {
        return o.value(QLatin1String(key)).toInteger(fallback);
    };
    p.conn = int(integer("conn", 0));
    p.request = int(integer("request", 0));
    p.method = o.value(QStringLiteral("method")).toString();
    p.target = o.value(QStringLiteral("target")).toString();
    p.http10 = o.value(QStringLiteral("http10")).toBool();
    p.expect = o.value(QStringLiteral("expect")).toString();
    p.contentLength = integer("content_length", -1);
    p.chunked = o.value(QStringLiteral("chunked")).toBool();
    p.expectWithoutContent = o.value(QStringLiteral("expect_without_content")).toBool();
    p.waitNs = integer("wait_ns", -1);
    p.sentAnyway = o.value(QStringLiteral("sent_anyway")).toBool();
    p.interimStatus = int(integer("interim", 0));
    p.finalStatus = int(integer("final", 0));
    p.garbage = o.value(QStringLiteral("garbage")).toBool();
    p.earlyFinal = o.value(QStringLiteral("early_final")).toBool();
    p.bytesBeforeFinal = integer("bytes_before_final", 0);
    p.bytesAfterFinal = integer("bytes_after_final", 0);
    p.closeAfterFinalNs = integer("close_after_final_ns", -1);
    p.retryOfConn = int(integer("retry_of", 0));
    p.retrySameConnection = o.value(QStringLiteral("retry_same_connection")).toBool();
    p.retryAfterNs = integer("retry_after_ns", -1);
    p.gaveUp = o.value(QStringLiteral("gave_up")).toBool();
    const QString wait = o.value(QStringLiteral("wait")).toString();
    const QString after = o.value(QStringLiteral("after_early_final")).toString();
    const QString closer = o.value(QStringLiteral("closed_by")).toString();
    if (!valueOf(kWaits, wait, &p.wait) || !valueOf(kAfter, after, &p.afterEarlyFinal) ||
        !closerFromName(closer, &p.closedBy)) {
        if (error)
            *error =
                tr("not a client profile (wait '%1', after_early_final '%2', closed_by '%3')").arg(wait, after, closer);
        return std::nullopt;
    }
    return p;
}

} // namespace expectlab
