// Progressive enhancement for the console. Every page works without this file.
import { initAll } from './govuk/govuk-frontend.min.js'

initAll()

// The board refreshes itself every minute (the page already works by reloading it). A button
// pauses it: content that moves on its own must be stoppable (WCAG 2.2.2).
const live = document.querySelector('[data-live-refresh]')
if (live) {
  const every = Number(live.getAttribute('data-live-refresh')) * 1000
  const status = document.getElementById('live-status')
  const button = document.getElementById('live-toggle')
  let timer = null
  const refresh = async () => {
    try {
      const response = await fetch(window.location.href, { headers: { 'X-Console-Partial': 'board' }, credentials: 'same-origin' })
      if (!response.ok) { throw new Error(String(response.status)) }
      const html = await response.text()
      const doc = new DOMParser().parseFromString(html, 'text/html')
      const fresh = doc.querySelector('[data-live-region]')
      const region = document.querySelector('[data-live-region]')
      if (fresh && region) { region.replaceWith(fresh) }
      if (status) { status.textContent = 'Updated at ' + new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }) + '.' }
    } catch (error) {
      if (status) { status.textContent = 'Could not update the board: reload the page.' }
    }
  }
  const start = () => { timer = window.setInterval(refresh, every); if (button) { button.textContent = 'Pause updates' } }
  const stop = () => { window.clearInterval(timer); timer = null; if (button) { button.textContent = 'Resume updates' } }
  if (button) {
    button.hidden = false
    button.addEventListener('click', () => { timer ? stop() : start() })
  }
  if (status) { status.textContent = status.textContent.replace('Reload the page to update it.', 'It updates itself every minute.') }
  start()
}
