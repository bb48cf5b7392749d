// A pick-list (the admin's search-as-you-type select) that closes because the editor clicked somewhere
// else hands the focus back to its own box. The browser then scrolled the page back to that box between
// the press and the release of the mouse button, so the click landed on whatever had scrolled under the
// pointer: a "Save" button at the top of the form did nothing. The box still takes the focus, for the
// keyboard, but the page stays where the editor was looking.
(function () {
    "use strict";
    const $ = window.django && window.django.jQuery;
    if (!$) {
        return;
    }
    const keepPagePut = (box) => {
        if (!box || box.focus !== HTMLElement.prototype.focus) {
            return;
        }
        box.focus = (options) => HTMLElement.prototype.focus.call(box, { ...options, preventScroll: true });
    };
    $(document).on("select2:open", (event) => {
        const pickList = $(event.target).data("select2");
        keepPagePut(pickList && pickList.$selection && pickList.$selection[0]);
    });
})();
