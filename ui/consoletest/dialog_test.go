package consoletest_test

import "testing"

// TestConsole_DialogFocus: when a confirmed action moves the focus on
// before the dialog's close event (an answer arriving first: the opt-out
// button replaced by its opposite), closing the dialog does not pull the
// focus back to where it was when the dialog opened (TestConsole_LiveDesk
// saw the page title focused now and then).
func TestConsole_DialogFocus(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	got := eval[string](p, `(async () => {
  const main = document.querySelector('main');
  const before = document.createElement('button'); before.id = 'before'; main.append(before); before.focus();
  const answer = C.confirm('测试', '确定吗?', '确定');
  const d = document.querySelector('dialog[open]');
  const closed = new Promise((ok) => d.addEventListener('close', () => setTimeout(ok, 0)));
  d.querySelector('button.primary').click();
  await answer; // before the close event: the page moves the focus on
  const next = document.createElement('button'); next.id = 'next'; main.append(next); next.focus();
  await closed;
  return document.activeElement.id;
})()`)
	if got != "next" {
		t.Errorf("after the dialog closed the focus is on %q, want the button the page focused", got)
	}
}
