#pragma once

#include "clientexchange.h"

#include <QJsonObject>

namespace expectlab {

// The `expectlab send --json` document (issue #2's contract; fields may be added, never renamed).
QJsonObject exchangeToJson(const ExchangeSummary &summary);
// `"tls": {"protocol", "cipher", "alpn", "peer": {"subject", "issuer", "not_after", "sha256"}}`
// (issue 15's contract); peer is null when the peer sent no certificate.
QJsonObject tlsToJson(const TlsFacts &tls);
// The reverse, for the files that keep it (sessions, HAR `_tls`): nullopt and *why when o is not
// that shape.
std::optional<TlsFacts> tlsFromJson(const QJsonObject &o, QString *why);
// One event as a JSON object with t_ms relative to originNs; serverShape adds "side" and "conn".
QJsonObject eventToJson(const TimelineEvent &event, qint64 originNs, bool serverShape);
// The readable timeline: one event a line, times aligned.
QString exchangeToText(const ExchangeSummary &summary);
QString eventToTextLine(const TimelineEvent &event, qint64 originNs);

} // namespace expectlab
