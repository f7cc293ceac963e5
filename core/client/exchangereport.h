#pragma once

#include "clientexchange.h"

#include <QJsonObject>

namespace expectlab {

// The `expectlab send --json` document (issue #2's contract; fields may be added, never renamed).
QJsonObject exchangeToJson(const ExchangeSummary &summary);
// One event as a JSON object with t_ms relative to originNs; serverShape adds "side" and "conn".
QJsonObject eventToJson(const TimelineEvent &event, qint64 originNs, bool serverShape);
// The readable timeline: one event a line, times aligned.
QString exchangeToText(const ExchangeSummary &summary);
QString eventToTextLine(const TimelineEvent &event, qint64 originNs);

} // namespace expectlab
