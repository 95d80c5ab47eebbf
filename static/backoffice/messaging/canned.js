/* The reply box's canned-reply picker: "Insert" fetches the reply filled in for this thread and
   adds it to the text. Without JavaScript (or if the fetch fails) the button posts the form and the
   server shows the page again with the text filled in. The text is set as a value, never as HTML. */
document.addEventListener("click", (event) => {
    const button = event.target.closest("#reply-form button[name=insert]");
    if (!button) {
        return;
    }
    const form = button.form;
    const select = form.querySelector("select[name=canned]");
    const textarea = form.querySelector("textarea[name=body]");
    if (!select || !select.value || !textarea || !form.dataset.cannedUrl) {
        return;
    }
    event.preventDefault();
    const url = form.dataset.cannedUrl.replace(/\/0\/$/, `/${encodeURIComponent(select.value)}/`);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => {
            if (!response.ok) {
                throw new Error(String(response.status));
            }
            return response.json();
        })
        .then((data) => {
            const current = textarea.value.replace(/\s+$/, "");
            textarea.value = current ? `${current}\n\n${data.text}` : data.text;
            select.value = "";
            textarea.dispatchEvent(new Event("input", { bubbles: true }));
            textarea.focus();
        })
        .catch(() => form.requestSubmit(button));
});
