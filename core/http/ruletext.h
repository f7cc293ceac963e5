#pragma once

#include <QString>

namespace expectlab {

// One line per rule id of shared/docs/expect-rules.md, for tooltips: "R6 (RFC 9110 10.1.1): ...".
// Empty for an unknown id.
QString ruleText(const QString &ruleId);

} // namespace expectlab
