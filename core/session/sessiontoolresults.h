#pragma once

#include "matrixspec.h"
#include "probereport.h"

#include <QJsonObject>

namespace expectlab {

class SessionJsonReader;

// The session file's "probe" and "matrix" objects: the Probe and Matrix tabs' last results in full
// (every observation, response head and event, every cell's exchange), so that open(save(s)) == s.
// Not the `probe --json` or `matrix --json` documents, which are reports for scripts and leave out
// what a report does not need; docs/session-format.md describes both objects.
QJsonObject probeReportToSessionJson(const ProbeReport &report);
ProbeReport probeReportFromSessionJson(SessionJsonReader &reader, const QJsonObject &object, const QString &path);

QJsonObject matrixResultToSessionJson(const MatrixResult &result);
MatrixResult matrixResultFromSessionJson(SessionJsonReader &reader, const QJsonObject &object, const QString &path);

} // namespace expectlab
