package consoletest_test

import (
	"context"
	"testing"
)

// TestConsole_AddCommunity: the district admin adds a community on the 街道
// page (issue 16: "the district admin's console create more"): a missing
// signature is refused in words with nothing saved, a full form adds it,
// the page lists it with its signature, and the switcher at the top
// offers it at once.
func TestConsole_AddCommunity(t *testing.T) {
	t.Parallel()
	s := mustDistrictStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(districtUser)
	p.wait(`!document.querySelector('[data-district]').hidden`)
	p.click("街道", "#nav")
	p.waitText("main h1", "街道")
	p.waitText("main h3", "添加社区")
	form := `form[aria-label="添加社区"]`
	p.typeIn(form+` input[name=name]`, "新华社区")
	p.click("添加社区", form)
	p.waitText(form+" .form-error", "短信签名")
	if list, _ := s.DB.Communities(context.Background()); len(list) != 2 {
		t.Fatalf("communities after the refused form = %+v", list)
	}
	p.typeIn(form+` input[name=sign_name]`, "新华社区")
	p.click("添加社区", form)
	p.waitText("#status", "已添加“新华社区”")
	p.wait(`[...document.querySelectorAll('main table')].some((t) => t.innerText.includes('【新华社区】'))`)
	p.wait(`[...document.querySelectorAll('#community-switch option')].some((o) => o.textContent === '新华社区')`)
	list, err := s.DB.Communities(context.Background())
	if err != nil || len(list) != 3 || list[2].Name != "新华社区" || list[2].SignName != "新华社区" {
		t.Fatalf("communities = %+v, %v", list, err)
	}
}
