package workflows

import (
	"testing"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// A payment closed the case on 03-20 after its first message (step 0 on
// 03-12, counted from 03-11); on 03-25 the payment is reversed. The case a
// reversal opens resumes where the closed one stood: no message again, and
// the second message comes when the ladder's clock, stopped while the case
// stood closed, reaches 15 days: 9d10h had run, so 5d14h later, 03-31
// 00:00. Started over, it would have sent the first message again on
// 03-26.
func TestCollectionReversalResumesWhereTheCaseStood(t *testing.T) {
	for _, byInput := range []bool{true, false} {
		t.Run(map[bool]string{true: "started to resume", false: "a reversal among the first nudges"}[byInput], func(t *testing.T) {
			resumeAfterReversal(t, byInput)
		})
	}
}

// resumeAfterReversal runs the case a reversal opens: started with Resume
// (SignalWithStart by a reversal), or by a run continued as new with a
// reversal among its first nudges.
func resumeAfterReversal(t *testing.T, byInput bool) {
	in := collInput()
	in.Resume = byInput
	start := cday(3, 25, 10, 0)
	h := newColl(t, in, start, bill(1, 2, 50000))
	if !byInput {
		h.at(start, func() { h.nudge(NudgeReversal, 3) })
	}
	var c *activities.Collections
	h.env.OnActivity(c.PreviousCase, mockAny, mockAny).Return(activities.PreviousCaseResult{Found: true, CaseID: 6,
		Segment: models.SegmentGood, StepReached: 0, OpenedAt: cday(3, 1, 10, 30), ClosedAt: cday(3, 20, 10, 0)}, nil)
	var v CaseView
	h.query(cday(3, 25, 10, 1), &v)
	h.pay(cday(4, 2, 10, 0), 0)
	h.run()
	want := []string{"03-25 10:00 opened", "03-25 10:00 reopened"}
	if !byInput {
		want = append(want, "03-25 10:00 reversal")
	}
	wantLines(t, "events", h.lines(), append(want,
		"03-31 00:00 step wechat/queued message",
		"03-31 08:00 contact wechat/sent payment_overdue_second",
		"04-02 10:00 payment",
		"04-02 10:00 closed",
	))
	if v.Stage != models.StageDunning || v.StepReached != 0 {
		t.Errorf("after reopening: got stage %s step %d, want dunning at step 0", v.Stage, v.StepReached)
	}
}

// Without a previous case (none closed before) a reversal's case starts
// like any other: the ladder counts from when it learned of the bill.
func TestCollectionReversalWithoutPreviousCaseStartsOver(t *testing.T) {
	in := collInput()
	in.Resume = true
	h := newColl(t, in, cday(3, 25, 10, 0), bill(1, 2, 50000))
	var c *activities.Collections
	h.env.OnActivity(c.PreviousCase, mockAny, mockAny).Return(activities.PreviousCaseResult{}, nil)
	h.pay(cday(3, 27, 10, 0), 0)
	h.run()
	wantLines(t, "events", h.lines("opened", "reopened", "step", "closed"), []string{
		"03-25 10:00 opened",
		"03-26 10:00 step sms/queued message",
		"03-27 10:00 closed",
	})
}

// SignalCollection marks a run a reversal starts as one that resumes.
func TestReversalNudgeResumes(t *testing.T) {
	if in := resumeInput(collInput(), CollectionNudge{Kind: NudgeReversal}); !in.Resume {
		t.Errorf("reversal: got Resume false, want true")
	}
	if in := resumeInput(collInput(), CollectionNudge{Kind: NudgePayment}); in.Resume {
		t.Errorf("payment: got Resume true, want false")
	}
}
