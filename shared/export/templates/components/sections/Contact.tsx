// Renders the contact section: the business's details and the contact form (with its honeypot).
import type { ContactForm, ContactSection } from "../types";
import { SectionFrame, SectionHead } from "../SectionFrame";

/** A detail's value, linked when it has an href. */
function Linked({ value }: { value: { text: string; href?: string } }) {
  return value.href !== undefined ? <a href={value.href}>{value.text}</a> : <>{value.text}</>;
}

/** The form posting to the forms endpoint; field ids derive from the section title's id. */
function Form({ form, titleId }: { form: ContactForm; titleId: string }) {
  const field = (name: string) => `${titleId}-${name}`;
  return (
    <form className="box form" method="post" action={form.action}>
      <p className="sent" id="message-sent" role="status">
        {form.sentLabel}
      </p>
      {form.intro !== "" && <p>{form.intro}</p>}
      <label htmlFor={field("name")}>{form.nameLabel}</label>
      <input id={field("name")} name="name" type="text" autoComplete="name" required maxLength={100} />
      <label htmlFor={field("email")}>{form.emailLabel}</label>
      <input id={field("email")} name="email" type="email" autoComplete="email" required maxLength={254} />
      <label htmlFor={field("message")}>{form.messageLabel}</label>
      <textarea id={field("message")} name="message" rows={5} required maxLength={4000} />
      {/* A field people never see: bots fill it, and the endpoint drops what they send. */}
      <div className="hp" aria-hidden="true">
        <label htmlFor={field("website")}>Website</label>
        <input id={field("website")} name="website" type="text" tabIndex={-1} autoComplete="off" />
      </div>
      <button className="btn" type="submit">
        {form.submitLabel}
      </button>
    </form>
  );
}

export function Contact({ section }: { section: ContactSection }) {
  const { phone, email, address, hours, labels } = section;
  const hasDetails = phone.text !== "" || email.text !== "" || address !== "" || hours !== "";
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} intro={section.intro} />
      <div className="cols">
        {hasDetails && (
          <dl className="details">
            {phone.text !== "" && (
              <>
                <dt>{labels.phone}</dt>
                <dd>
                  <Linked value={phone} />
                </dd>
              </>
            )}
            {email.text !== "" && (
              <>
                <dt>{labels.email}</dt>
                <dd>
                  <Linked value={email} />
                </dd>
              </>
            )}
            {address !== "" && (
              <>
                <dt>{labels.address}</dt>
                <dd>{address}</dd>
              </>
            )}
            {hours !== "" && (
              <>
                <dt>{labels.hours}</dt>
                <dd>{hours}</dd>
              </>
            )}
          </dl>
        )}
        {section.form && <Form form={section.form} titleId={`${section.id}-title`} />}
      </div>
    </SectionFrame>
  );
}
