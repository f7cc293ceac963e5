#pragma once

#include "session.h"

#include <QJsonObject>

#include <optional>

namespace expectlab {

// The `.expectlab.json` session file: {"format": "expectlab-session", "version": 1, ...}.
// Every field of every exchange is kept, raw bytes in base64, so that open(save(s)) == s.
// A reader refuses a file with a newer version rather than lose what it does not understand.
inline constexpr char kSessionFormat[] = "expectlab-session";
// 2: typed event facts, attempts, response_complete; 3: the probe's and the matrix's last results;
// 4: the TLS facts of exchanges and of tls_done events; 5: the recording proxy (its events of both
// hops, with hop, exchange and decision, its connections and how it ran). Reads every version up to
// this one.
inline constexpr int kSessionVersion = 5;
inline constexpr char kSessionSuffix[] = ".expectlab.json";

QJsonObject sessionToJson(const Session &session);
// nullopt with a readable message (naming the offending field) when the document is not a session
// this version can read.
std::optional<Session> sessionFromJson(const QJsonObject &object, QString *error);

QByteArray sessionToBytes(const Session &session);
std::optional<Session> sessionFromBytes(const QByteArray &bytes, QString *error);

// Writes with QSaveFile: the old file stays intact unless the new one is complete.
bool saveSession(const Session &session, const QString &path, QString *error);
// Reads and checks the whole file before returning anything: a broken file changes nothing.
std::optional<Session> loadSession(const QString &path, QString *error);

// The pieces, for other formats that embed them.
QJsonObject timelineEventToJson(const TimelineEvent &event);
QJsonObject messageHeadToJson(const MessageHead &head);
QJsonArray headersToJson(const HttpHeaders &headers);
QJsonObject exchangeSummaryToJson(const ExchangeSummary &summary);

} // namespace expectlab
