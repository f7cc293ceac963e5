#pragma once

#include "session.h"

#include <QJsonObject>

#include <optional>

namespace expectlab {

// Reads a HAR 1.2 log (ExpectLab's own or any browser's) into a session: one exchange per entry,
// with events rebuilt from the entry's timings and its `_interim` responses where present. Raw wire
// bytes are not part of HAR, so imported exchanges have no wire logs.
std::optional<Session> sessionFromHar(const QJsonObject &har, QString *error);
std::optional<Session> loadHar(const QString &path, QString *error);

} // namespace expectlab
