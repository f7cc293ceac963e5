#pragma once

#include "exchangeoutcome.h"
#include "timelinelayout.h"

#include <QColor>

namespace expectlab {

// The colours of meanings (timeline markers and arrows) and of outcomes (list and overview), kept in
// one place so that the list, the overview and the timeline agree.
QColor meaningColor(Meaning meaning);
QColor outcomeColor(Outcome outcome);

} // namespace expectlab
