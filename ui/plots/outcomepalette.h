#pragma once

#include "exchangeoutcome.h"
#include "timelinelayout.h"

#include <QColor>
#include <QPixmap>

namespace expectlab {

// The colours of meanings (timeline markers and arrows) and of outcomes (list and overview), kept in
// one place so that the list, the overview and the timeline agree. Outcomes use the Okabe-Ito
// palette (safe for the common colour-vision deficiencies) and each has a shape of its own as well,
// so that no two outcomes differ by colour alone (issue 14).
QColor meaningColor(Meaning meaning);
QColor outcomeColor(Outcome outcome);

enum class OutcomeShape { Disc, Square, Diamond, Triangle, TriangleDown, Cross, Plus, Ring, Star };
OutcomeShape outcomeShape(Outcome outcome);
// The outcome's symbol (shape in its colour, a thin dark outline), size x size px, antialiased;
// cached per outcome and size, for the list's swatches and the overview's points.
QPixmap outcomeSymbol(Outcome outcome, int size);

} // namespace expectlab
